namespace CryptoIndex.Operator.Runtime.Cache;

/// <summary>
/// client-go's <c>exponentialBackoffManagerImpl</c> (the reflector's): <c>initial × factor^n</c> capped at
/// <c>max</c>, each delay stretched by up to <c>jitter × delay</c>, and reset to <c>initial</c> when no backoff was
/// needed for <c>resetAfter</c> (a healthy period).
/// </summary>
public sealed class ExponentialBackoff(
    TimeSpan initial, TimeSpan max, double factor, double jitter, TimeSpan resetAfter, TimeProvider time, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private readonly TimeSpan _initial = initial;
    private TimeSpan _next = initial;
    private DateTimeOffset? _lastStart;

    /// <summary>The next delay to wait.</summary>
    public TimeSpan Next()
    {
        var now = time.GetUtcNow();
        if (_lastStart is { } last && now - last > resetAfter)
        {
            _next = _initial;
        }

        _lastStart = now;
        var d = _next;
        var grown = TimeSpan.FromTicks((long)(_next.Ticks * factor));
        _next = grown > max ? max : grown;
        return jitter > 0 ? d + TimeSpan.FromTicks((long)(_random.NextDouble() * jitter * d.Ticks)) : d;
    }
}
