namespace CryptoIndex.MarketData.Simulation;

/// <summary>Prices from a <see cref="ReplayedMarket"/> at the clock's time, named <c>replay</c>.</summary>
public sealed class ReplayedSource(ReplayedMarket market, TimeProvider time) : IPriceSource
{
    public const string SourceName = "replay";

    public string Name => SourceName;

    public bool ReportsMarketCaps => true;

    public Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var now = time.GetUtcNow();
        var quotes = new List<RawQuote>();
        var rejections = new List<PriceRejection>();
        foreach (var asset in assets)
        {
            if (market.Quote(asset.Symbol, now, out var missing) is { } quote)
            {
                quotes.Add(new RawQuote(asset, quote.Price, quote.MarketCap, now));
            }
            else
            {
                rejections.Add(PriceRejection.For(asset, Name, RejectionReason.MissingId, missing!));
            }
        }

        return Task.FromResult(new SourceResult(quotes, rejections));
    }
}
