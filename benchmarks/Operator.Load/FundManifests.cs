using System.Globalization;
using System.Text;

namespace CryptoIndex.Operator.Load;

/// <summary>
/// The run's market and funds: a universe of <see cref="Universe"/> assets with power-law market caps, and funds of 5
/// to 20 of them each (market-cap, √market-cap and equal weighting in turn), all on paper, all refreshed every
/// <see cref="RefreshInterval"/> from CoinGecko. Deterministic: the same N gives the same funds.
/// </summary>
internal static class FundManifests
{
    public const int Universe = 100;

    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);

    public static string Id(int asset) => string.Create(CultureInfo.InvariantCulture, $"coin-{asset:000}");

    public static string Symbol(int asset) => string.Create(CultureInfo.InvariantCulture, $"C{asset:000}");

    public static (decimal Price, decimal MarketCap) Quote(int asset, decimal move) =>
        (decimal.Round((1000m / (asset + 1)) * move, 8), decimal.Round(1_000_000_000_000m / (decimal)Math.Pow(asset + 1, 1.1), 0));

    /// <summary>Between -1 % and +1 % per asset, varying with <paramref name="round"/>: a quiet market that moves NAV, not targets.</summary>
    public static decimal Move(int asset, int round) => 1m + ((((asset * 37) + (round * 11)) % 21) - 10) / 1000m;

    public static string Name(int fund) => string.Create(CultureInfo.InvariantCulture, $"fund-{fund:0000}");

    public static int ConstituentCount(int fund) => 5 + ((fund * 7) % 16);

    public static string Yaml(int fund)
    {
        var count = ConstituentCount(fund);
        var first = (fund * 13) % Universe;
        var weighting = (fund % 3) switch { 0 => "MarketCap", 1 => "SqrtMarketCap", _ => "Equal" };
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $$"""
            apiVersion: cryptoindex.io/v1alpha1
            kind: IndexFund
            metadata: {name: {{Name(fund)}}}
            spec:
              capital: {{10_000 + fund}}
              weighting: {{weighting}}
              assetCap: 50%
              rebalance: {threshold: 5%, totalThreshold: 10%, minInterval: 24h, maxInterval: 720h, minTradeValue: "1"}
              exchange: {kind: paper, feeRate: 0.1%}
              prices: {provider: coingecko, refreshInterval: 5m, maxAge: 10m}
              constituents:

            """);
        for (var i = 0; i < count; i++)
        {
            var asset = (first + i) % Universe;
            yaml.Append(CultureInfo.InvariantCulture, $"    - {{symbol: {Symbol(asset)}, coinGeckoId: {Id(asset)}}}\n");
        }

        return yaml.ToString();
    }
}
