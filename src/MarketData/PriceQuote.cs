namespace CryptoIndex.MarketData;

/// <summary>Where a market cap came from.</summary>
public enum MarketCapOrigin
{
    /// <summary>Reported by the source with the price.</summary>
    Reported,

    /// <summary>
    /// Estimated: the source has no market caps (Binance), so the last reported market cap is scaled by the price
    /// change since (constant supply). Funds are told so in their status.
    /// </summary>
    Estimated,

    /// <summary>No market cap is known.</summary>
    None,
}

/// <summary>An accepted price (and market cap) of one asset, with when the source observed it and who it was.</summary>
public sealed record PriceQuote(
    string Symbol,
    decimal Price,
    decimal? MarketCap,
    DateTimeOffset ObservedAt,
    string Source,
    MarketCapOrigin MarketCapOrigin);
