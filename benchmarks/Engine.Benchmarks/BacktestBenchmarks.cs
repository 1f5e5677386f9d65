using BenchmarkDotNet.Attributes;
using CryptoIndex.Engine.Backtesting;
using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Benchmarks;

/// <summary>A 10-asset capped market-cap fund replayed over two years of daily history (a seeded random walk).</summary>
[MemoryDiagnoser]
public class BacktestBenchmarks
{
    private BacktestSpec spec = null!;
    private MarketDay[] days = [];

    [Params(BacktestStrategy.FundRules, BacktestStrategy.Daily)]
    public BacktestStrategy Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var symbols = Enumerable.Range(0, 10).Select(i => $"A{i}").ToArray();
        var random = new Random(11);
        var prices = symbols.Select((_, i) => 10m * (i + 1)).ToArray();
        var supply = symbols.Select((_, i) => 1_000_000_000m / (i + 1)).ToArray();
        days = new MarketDay[730];
        for (var d = 0; d < days.Length; d++)
        {
            for (var i = 0; i < symbols.Length; i++)
            {
                prices[i] = decimal.Round(prices[i] * (decimal)(1 + ((random.NextDouble() - 0.5) * 0.08)), 6);
            }

            days[d] = new MarketDay(
                new DateOnly(2020, 1, 1).AddDays(d),
                symbols.Select((s, i) => (s, new AssetClose(prices[i], decimal.Round(prices[i] * supply[i], 2)))).ToDictionary(x => x.s, x => x.Item2, StringComparer.Ordinal));
        }

        spec = new BacktestSpec(
            [.. symbols.Select(s => new Constituent(s))],
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.25m),
            new RebalancePolicy(0.05m, TotalThreshold: 0.1m, MaxInterval: TimeSpan.FromDays(30), MinInterval: TimeSpan.FromDays(1)),
            new PlanOptions(FeeRate: 0.001m, MinTradeValue: 10m),
            100_000m);
    }

    [Benchmark]
    public BacktestResult TwoYears() => Backtester.Run(spec, days, Strategy).Value;
}
