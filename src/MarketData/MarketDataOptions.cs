namespace CryptoIndex.MarketData;

/// <summary>Settings of one shared price cache.</summary>
public sealed record MarketDataOptions
{
    /// <summary>A price more than this many times above, or below 1/this of, the last accepted price is rejected; 0 disables.</summary>
    public decimal MaxPriceJump { get; init; } = 10m;
}
