namespace CryptoIndex.Operator.Runtime.Events;

/// <summary>A passive token bucket (client-go's <c>TokenBucketPassiveRateLimiter.TryAccept</c>): full at start, never waits.</summary>
internal sealed class TokenBucket(double qps, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private DateTimeOffset _last = time.GetUtcNow();

    public bool TryAccept()
    {
        var now = time.GetUtcNow();
        var elapsed = now > _last ? (now - _last).TotalSeconds : 0;
        _tokens = Math.Min(burst, _tokens + (elapsed * qps));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
