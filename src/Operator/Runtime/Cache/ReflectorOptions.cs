namespace CryptoIndex.Operator.Runtime.Cache;

/// <summary>Reflector settings; the defaults are client-go's (kube-rs for the idle timeout).</summary>
public sealed record ReflectorOptions
{
    /// <summary>Lower bound of the random server-side watch timeout (client-go: 5 min).</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Upper bound of the random server-side watch timeout (client-go: 10 min).</summary>
    public TimeSpan MaxWatchTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a watch may stay silent before it is presumed dead; null means the server timeout + 5 s.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    public double BackoffFactor { get; init; } = 2.0;

    public double BackoffJitter { get; init; } = 1.0;

    /// <summary>A backoff that was not needed for this long starts over at <see cref="BackoffInitial"/>.</summary>
    public TimeSpan BackoffReset { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Periodic resync of every cached object to the handlers; null disables it (controller-runtime: 10 h).</summary>
    public TimeSpan? ResyncPeriod { get; init; }

    /// <summary>List page size (<c>limit</c>); pages are stitched with <c>continue</c>.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>
    /// The clock of the watch's idle timeout, "very short watch" check and backoff; null: the controller's. These measure
    /// the API server and the network, which run on real time (the server enforces <c>timeoutSeconds</c> on its own
    /// clock): a controller on a fast simulated clock must not cut watches on it.
    /// </summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Randomness for the watch timeout and backoff jitter (tests pass a seeded one).</summary>
    public Random? Random { get; init; }
}
