namespace CryptoIndex.MarketData;

/// <summary>
/// What one source returned for one request: the values it read, per asset, and the assets it could not serve.
/// Values are not validated yet: <see cref="QuoteValidator"/> decides what is accepted.
/// </summary>
public sealed record SourceResult(IReadOnlyList<RawQuote> Quotes, IReadOnlyList<PriceRejection> Rejections);

/// <summary>A value as read from a source, before validation, for the asset (with its ids) it was asked for.</summary>
public sealed record RawQuote(AssetRef Asset, decimal Price, decimal? MarketCap, DateTimeOffset ObservedAt)
{
    public string Symbol => Asset.Symbol;
}
