using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Queue;

namespace CryptoIndex.Operator.Runtime.Controllers;

/// <summary>Controller settings; defaults are controller-runtime's.</summary>
public sealed record ControllerOptions
{
    /// <summary>Workers reconciling different keys in parallel (controller-runtime: 1).</summary>
    public int MaxConcurrentReconciles { get; init; } = 1;

    /// <summary>Which cache events enqueue a key (default: generation changed or the requestedAt annotation changed).</summary>
    public Func<CacheEvent, bool>? Predicate { get; init; }

    /// <summary>The queue's rate limiter (default: client-go's controller limiter).</summary>
    public IRateLimiter<ObjectKey>? RateLimiter { get; init; }

    public ReflectorOptions Reflector { get; init; } = new();
}
