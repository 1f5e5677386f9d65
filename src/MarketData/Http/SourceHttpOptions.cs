using System.Globalization;

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

    // Polly's own bounds for the strategies these settings configure (ResilientHttpClient). Polly refuses a value
    // outside them only when the client is built, with a ValidationException that names no setting; checked here
    // first so that a bad setting is one line naming its key. SourceHttpOptionsTests holds the two to agree.
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    public static readonly TimeSpan MinBreakerDuration = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);
    public const int MinBreakerThroughput = 2;

    /// <summary>What is out of range, naming the setting under <paramref name="section"/>; null when all is well.</summary>
    public string? Problem(string section) =>
        Duration(section, nameof(AttemptTimeout), AttemptTimeout, MinTimeout)
        ?? Duration(section, nameof(TotalTimeout), TotalTimeout, MinTimeout)
        ?? (MaxRetries < 0 ? string.Create(CultureInfo.InvariantCulture, $"{section}:MaxRetries must be 0 (no retries) or more, not {MaxRetries}") : null)
        ?? Duration(section, nameof(RetryBaseDelay), RetryBaseDelay, TimeSpan.Zero)
        ?? (BreakerFailureRatio is not (>= 0 and <= 1)
            ? string.Create(CultureInfo.InvariantCulture, $"{section}:BreakerFailureRatio must be from 0 to 1 (the share of failed requests that opens the circuit), not {BreakerFailureRatio}")
            : null)
        ?? (BreakerMinimumThroughput < MinBreakerThroughput
            ? string.Create(CultureInfo.InvariantCulture, $"{section}:BreakerMinimumThroughput must be {MinBreakerThroughput} or more (requests before the circuit may open), not {BreakerMinimumThroughput}")
            : null)
        ?? Duration(section, nameof(BreakerSamplingDuration), BreakerSamplingDuration, MinBreakerDuration)
        ?? Duration(section, nameof(BreakDuration), BreakDuration, MinBreakerDuration);

    private static string? Duration(string section, string key, TimeSpan value, TimeSpan min) =>
        value >= min && value <= MaxDuration
            ? null
            : $"{section}:{key} must be from {Show(min)} to {Show(MaxDuration)} (hh:mm:ss), not {Show(value)}";

    /// <summary>A duration as configuration takes it, without the trailing zeros of its fraction: 00:00:00.01, 1.00:00:00.</summary>
    private static string Show(TimeSpan value)
    {
        var text = value.ToString("c", CultureInfo.InvariantCulture);
        return text.LastIndexOf('.') > text.LastIndexOf(':') ? text.TrimEnd('0') : text;
    }
}
