using System.Globalization;

namespace CryptoIndex.MarketData;

/// <summary>Settings of one shared price cache.</summary>
public sealed record MarketDataOptions
{
    /// <summary>A price more than this many times above, or below 1/this of, the last accepted price is rejected; 0 disables.</summary>
    public decimal MaxPriceJump { get; init; } = 10m;

    /// <summary>
    /// A jump beyond <see cref="MaxPriceJump"/> that holds (within 5 %) for this many refreshes in a row is a real
    /// move (a crash, a redenomination), not a glitch: it is accepted as the new level, with a warning.
    /// </summary>
    public int AcceptJumpAfter { get; init; } = 3;

    /// <summary>The longest <see cref="RefreshTimeout"/> accepted: a refresh is minutes; a day is a mistake (and far longer would overflow its timer).</summary>
    public static readonly TimeSpan MaxRefreshTimeout = TimeSpan.FromDays(1);

    /// <summary>Longest a refresh may take, all sources together; a source still running then counts as failed.</summary>
    public TimeSpan RefreshTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The share of <see cref="RefreshTimeout"/> kept for the fallbacks: the primary source must be done by
    /// <c>RefreshTimeout × (1 − FallbackShare)</c>, so a slow primary cannot leave a healthy fallback no time. From 0
    /// (the primary may use it all) to below 1.
    /// </summary>
    /// <remarks>
    /// A share rather than a duration: it stays valid whatever the refresh timeout is set to, and the cache does not
    /// know a source's own request timeouts (a file has none). The default 25 % of the 2-minute refresh timeout is 30 s,
    /// the default total time of one HTTP fetch, retries included: Binance's single request fits.
    /// </remarks>
    public double FallbackShare { get; init; } = 0.25;

    /// <summary>
    /// How long after a refresh starts source <paramref name="index"/> of <paramref name="count"/> must have answered:
    /// the last one at <see cref="RefreshTimeout"/>; the earlier ones leave <see cref="FallbackShare"/> of it to the
    /// later ones, split evenly among them. Counted from the start, so time a source leaves unused goes to the next.
    /// </summary>
    public TimeSpan DeadlineOf(int index, int count)
    {
        var later = count - 1 - index;
        return later <= 0 ? RefreshTimeout : RefreshTimeout - RefreshTimeout * FallbackShare * later / (count - 1);
    }

    /// <summary>What is out of range, naming the setting under <paramref name="section"/>; null when all is well.</summary>
    public string? Problem(string section) =>
        MaxPriceJump is not 0m and <= 1m
            ? string.Create(CultureInfo.InvariantCulture, $"{section}:MaxPriceJump must be 0 (no check) or above 1 (a factor: 10 rejects a price over 10× or under 1/10 of the last), not {MaxPriceJump}")
        : AcceptJumpAfter < 0 ? string.Create(CultureInfo.InvariantCulture, $"{section}:AcceptJumpAfter must be 0 (never) or a number of refreshes, not {AcceptJumpAfter}")
        : RefreshTimeout <= TimeSpan.Zero || RefreshTimeout > MaxRefreshTimeout
            ? string.Create(CultureInfo.InvariantCulture, $"{section}:RefreshTimeout must be above 0 and at most {MaxRefreshTimeout}, not {RefreshTimeout}")
        : FallbackShare is not (>= 0 and < 1)
            ? string.Create(CultureInfo.InvariantCulture, $"{section}:FallbackShare must be from 0 to below 1 (a share of RefreshTimeout), not {FallbackShare}")
        : null;
}
