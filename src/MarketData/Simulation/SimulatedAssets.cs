namespace CryptoIndex.MarketData.Simulation;

/// <summary>
/// Starting points for the simulated market: round, plausible levels, supplies and yearly volatilities of large
/// assets (only the start of a random walk, not data). Any other symbol gets a deterministic made-up start derived
/// from its name, so a fund naming any asset can be simulated.
/// </summary>
public static class SimulatedAssets
{
    private static readonly Dictionary<string, SimulatedAsset> Known = new(StringComparer.Ordinal)
    {
        ["BTC"] = new(95_000m, 19_900_000m, 0.55m),
        ["ETH"] = new(3_500m, 120_500_000m, 0.70m),
        ["BNB"] = new(650m, 145_000_000m, 0.55m),
        ["XRP"] = new(2.2m, 58_000_000_000m, 0.85m),
        ["SOL"] = new(180m, 490_000_000m, 0.85m),
        ["ADA"] = new(0.7m, 35_500_000_000m, 0.85m),
        ["DOGE"] = new(0.3m, 147_000_000_000m, 0.95m),
        ["TRX"] = new(0.25m, 86_000_000_000m, 0.60m),
        ["DOT"] = new(6m, 1_500_000_000m, 0.85m),
        ["LINK"] = new(18m, 630_000_000m, 0.85m),
        ["AVAX"] = new(30m, 410_000_000m, 0.90m),
        ["UNI"] = new(9m, 600_000_000m, 0.90m),
        ["LTC"] = new(95m, 75_000_000m, 0.75m),
        ["BCH"] = new(450m, 19_800_000m, 0.75m),
        ["MATIC"] = new(0.5m, 10_000_000_000m, 0.90m),
        ["ATOM"] = new(8m, 390_000_000m, 0.85m),
        ["XLM"] = new(0.35m, 30_000_000_000m, 0.80m),
        ["EOS"] = new(0.7m, 1_500_000_000m, 0.85m),
        ["USDT"] = new(1m, 140_000_000_000m, 0.005m),
        ["USDC"] = new(1m, 60_000_000_000m, 0.005m),
        ["DAI"] = new(1m, 5_000_000_000m, 0.005m),
    };

    public static IReadOnlyCollection<string> Symbols => Known.Keys;

    public static SimulatedAsset For(string symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        if (Known.TryGetValue(symbol, out var known))
        {
            return known;
        }

        // A made-up mid-cap: price 0.50–50.49, a billion units, 100 % volatility; the same on every machine.
        var hash = StableHash.Of(symbol);
        return new SimulatedAsset(0.5m + (hash % 5000UL / 100m), 1_000_000_000m, 1.0m);
    }
}
