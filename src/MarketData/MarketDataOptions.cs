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

    /// <summary>Longest a refresh may take, all sources together; a source still running then counts as failed.</summary>
    public TimeSpan RefreshTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
