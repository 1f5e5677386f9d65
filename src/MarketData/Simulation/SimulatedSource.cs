namespace CryptoIndex.MarketData.Simulation;

/// <summary>
/// Prices from a <see cref="SimulatedMarket"/> at the clock's time. Named <c>simulated</c>, so every quote (and the
/// fund status that shows it) says where it came from.
/// </summary>
public sealed class SimulatedSource(SimulatedMarket market, TimeProvider time) : IPriceSource
{
    public const string SourceName = "simulated";

    public string Name => SourceName;

    public bool ReportsMarketCaps => true;

    public Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var now = time.GetUtcNow();
        var quotes = assets.Select(a =>
        {
            var (price, marketCap, observedAt) = market.Quote(a.Symbol, now);
            return new RawQuote(a, price, marketCap, observedAt);
        }).ToList();
        return Task.FromResult(new SourceResult(quotes, []));
    }
}
