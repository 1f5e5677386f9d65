namespace CryptoIndex.Operator.Runtime.Queue;

/// <summary>
/// client-go's <c>ItemExponentialFailureRateLimiter</c>: <c>base × 2^failures</c>, capped at <c>max</c>, per item.
/// The arithmetic is done in doubles exactly as the Go code does so the schedules agree.
/// </summary>
public sealed class ItemExponentialFailureRateLimiter<T>(TimeSpan baseDelay, TimeSpan maxDelay) : IRateLimiter<T>
    where T : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<T, int> _failures = [];

    public TimeSpan When(T item)
    {
        lock (_gate)
        {
            _failures.TryGetValue(item, out var exp);
            _failures[item] = exp + 1;
            var backoff = baseDelay.Ticks * Math.Pow(2, exp);
            return backoff >= maxDelay.Ticks ? maxDelay : TimeSpan.FromTicks((long)backoff);
        }
    }

    public void Forget(T item)
    {
        lock (_gate)
        {
            _failures.Remove(item);
        }
    }

    public int NumRequeues(T item)
    {
        lock (_gate)
        {
            return _failures.TryGetValue(item, out var n) ? n : 0;
        }
    }
}
