namespace CryptoIndex.MarketData.Http;

/// <summary>
/// How hard the operator tries one price provider before falling back to the next. Retries use exponential backoff
/// with jitter and honour <c>Retry-After</c> on 429/503; the circuit opens when at least half of the recent requests
/// failed, and stays open for <see cref="BreakDuration"/>.
/// </summary>
public sealed record SourceHttpOptions
{
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public int MaxRetries { get; init; } = 3;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public double BreakerFailureRatio { get; init; } = 0.5;

    public int BreakerMinimumThroughput { get; init; } = 4;

    public TimeSpan BreakerSamplingDuration { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(60);
}
