namespace CryptoIndex.Operator.Runtime.Controllers;

/// <summary>controller-runtime's <c>reconcile.Result</c>.</summary>
public readonly record struct ReconcileResult
{
    /// <summary>Run again after this delay (the per-key backoff is forgotten first).</summary>
    public TimeSpan? After { get; init; }

    /// <summary>Run again after the rate limiter's delay (controller-runtime deprecates this; prefer <see cref="After"/>).</summary>
    public bool Requeue { get; init; }

    /// <summary>Nothing more to do until something changes.</summary>
    public static ReconcileResult Done => default;

    public static ReconcileResult RequeueAfter(TimeSpan delay) => new() { After = delay };

    public static ReconcileResult RequeueRateLimited => new() { Requeue = true };
}
