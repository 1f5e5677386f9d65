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

    /// <summary>
    /// How long one reconcile may take before its cancellation token is cancelled (controller-runtime's
    /// <c>ReconciliationTimeout</c>); null: no limit, controller-runtime's default. A reconcile that ends because of it
    /// is an error: logged, counted in <c>controller_runtime_reconcile_timeouts_total</c>, and its key requeued with
    /// backoff. Cancellation is cooperative: the key stays held until the reconciler returns, so a key is still never
    /// reconciled twice at once. Measured on <see cref="ReflectorOptions.Time"/> when set (the clock of the API server
    /// and the network, whose hung calls it bounds), else on the controller's.
    /// </summary>
    public TimeSpan? ReconcileTimeout { get; init; }
}
