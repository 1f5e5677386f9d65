namespace CryptoIndex.Operator.Runtime.Queue;

/// <summary>
/// client-go's <c>BucketRateLimiter</c>: an overall token bucket (<c>golang.org/x/time/rate</c>) shared by all items.
/// Each call reserves one token; when the bucket is empty the delay is the time until that token refills. This is
/// a port of <c>rate.Limiter.reserveN</c> with <c>advance</c>, on a <see cref="TimeProvider"/>.
/// </summary>
public sealed class BucketRateLimiter<T> : IRateLimiter<T>
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly double _limit;
    private readonly int _burst;
    private double _tokens;
    private DateTimeOffset _last;

    public BucketRateLimiter(double qps, int burst, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(qps);
        _time = time;
        _limit = qps;
        _burst = burst;
        _tokens = burst; // rate.NewLimiter starts with a full bucket.
        _last = time.GetUtcNow();
    }

    public TimeSpan When(T item)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var last = now < _last ? now : _last;
            var tokens = Math.Min(_burst, _tokens + ((now - last).Ticks / (double)TimeSpan.TicksPerSecond * _limit));
            tokens -= 1;
            var wait = TimeSpan.Zero;
            if (tokens < 0)
            {
                // Go: time.Duration(float64(time.Second) * tokens/limit), truncated to nanoseconds.
                var nanos = Math.Truncate(1e9 * (-tokens / _limit));
                wait = TimeSpan.FromTicks((long)(nanos / 100));
            }

            _last = now;
            _tokens = tokens;
            return wait;
        }
    }

    public void Forget(T item)
    {
    }

    public int NumRequeues(T item) => 0;
}
