namespace CryptoIndex.Operator.Runtime.Queue;

/// <summary>Factory for client-go's default controller rate limiter.</summary>
public static class RateLimiters
{
    /// <summary>Per-item backoff start (client-go: 5 ms).</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromMilliseconds(5);

    /// <summary>Per-item backoff cap (client-go: 1000 s).</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromSeconds(1000);

    /// <summary><c>DefaultTypedControllerRateLimiter</c>: max of per-item 5 ms → 1000 s and a 10 qps / burst 100 bucket.</summary>
    public static IRateLimiter<T> DefaultController<T>(TimeProvider time)
        where T : notnull =>
        new MaxOfRateLimiter<T>(
            new ItemExponentialFailureRateLimiter<T>(DefaultBaseDelay, DefaultMaxDelay),
            new BucketRateLimiter<T>(10, 100, time));
}
