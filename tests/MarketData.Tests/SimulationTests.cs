using CryptoIndex.Engine.Backtesting;
using CryptoIndex.MarketData.Simulation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.MarketData.Tests;

/// <summary>The sandbox's markets: a seeded random walk and replayed daily history.</summary>
public sealed class SimulationTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_price_depends_only_on_seed_symbol_and_time_not_on_what_was_asked_before()
    {
        var stepped = new SimulatedMarket(seed: 42, Start);
        var direct = new SimulatedMarket(seed: 42, Start);
        var later = Start.AddDays(5).AddMinutes(7);

        for (var t = Start; t < later; t = t.AddHours(3))
        {
            stepped.Quote("ETH", t);
            stepped.Quote("BTC", t);
        }

        Assert.Equal(stepped.Quote("BTC", later), direct.Quote("BTC", later));
        Assert.Equal(stepped.Quote("ETH", later), direct.Quote("ETH", later));
        // Going back in time gives the same numbers as the first time (recomputed from a checkpoint).
        var earlier = Start.AddDays(2).AddSeconds(30);
        Assert.Equal(new SimulatedMarket(42, Start).Quote("BTC", earlier), stepped.Quote("BTC", earlier));
    }

    [Fact]
    public void Seeds_give_different_walks_and_the_start_is_the_assets_start_price()
    {
        var a = new SimulatedMarket(seed: 1, Start);
        var b = new SimulatedMarket(seed: 2, Start);

        Assert.Equal((95_000m, 95_000m * 19_900_000m, Start), a.Quote("BTC", Start));
        Assert.NotEqual(a.Quote("BTC", Start.AddHours(1)).Price, b.Quote("BTC", Start.AddHours(1)).Price);
        var (price, cap, observedAt) = a.Quote("SOL", Start.AddMinutes(90).AddSeconds(20));
        Assert.Equal(decimal.Round(price * 490_000_000m, 2), cap);
        Assert.Equal(Start.AddMinutes(90), observedAt); // the start of the one-minute step
    }

    [Fact]
    public void An_unknown_symbol_gets_the_same_made_up_start_everywhere()
    {
        Assert.Equal(SimulatedAssets.For("ZZZ"), SimulatedAssets.For("ZZZ"));
        Assert.InRange(SimulatedAssets.For("ZZZ").StartPrice, 0.5m, 50.5m);
        Assert.NotEqual(SimulatedAssets.For("ZZZ").StartPrice, SimulatedAssets.For("QQQ").StartPrice);
    }

    [Fact]
    public void The_walk_has_the_configured_volatility_and_correlation()
    {
        // Hourly steps for four years: realized yearly volatility and BTC/ETH correlation of the hourly returns.
        var market = new SimulatedMarket(seed: 7, Start, correlation: 0.6m, step: TimeSpan.FromHours(1));
        var btc = new List<double>();
        var eth = new List<double>();
        decimal previousBtc = 95_000m, previousEth = 3_500m;
        for (var hour = 1; hour <= 4 * 8766; hour++)
        {
            var t = Start.AddHours(hour);
            var b = market.Quote("BTC", t).Price;
            var e = market.Quote("ETH", t).Price;
            btc.Add((double)((b / previousBtc) - 1m));
            eth.Add((double)((e / previousEth) - 1m));
            (previousBtc, previousEth) = (b, e);
        }

        Assert.InRange(StdDev(btc) * Math.Sqrt(8766), 0.55 * 0.95, 0.55 * 1.05);
        Assert.InRange(StdDev(eth) * Math.Sqrt(8766), 0.70 * 0.95, 0.70 * 1.05);
        Assert.InRange(Correlation(btc, eth), 0.55, 0.65);
    }

    [Fact]
    public void Replayed_history_is_interpolated_exactly_between_daily_closes_and_quoted_only_inside_it()
    {
        var day = new DateOnly(2024, 3, 1);
        var market = new ReplayedMarket(new Dictionary<string, IReadOnlyList<(DateOnly, AssetClose)>>
        {
            ["BTC"] = [(day, new AssetClose(60_000m, 1_200_000_000_000m)), (day.AddDays(1), new AssetClose(62_000m, 1_240_000_000_000m))],
        });
        var noon = new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal((61_000m, 1_220_000_000_000m), market.Quote("BTC", noon, out _)!.Value);
        Assert.Equal((60_000m, 1_200_000_000_000m), market.Quote("BTC", noon.AddHours(-12), out _)!.Value);
        Assert.Equal((62_000m, 1_240_000_000_000m), market.Quote("BTC", noon.AddHours(13), out _)!.Value); // the last day holds its close
        Assert.Null(market.Quote("BTC", noon.AddDays(3), out var missing));
        Assert.Equal("no close on 2024-03-04 (history runs 2024-03-01 to 2024-03-02)", missing);
        Assert.Null(market.Quote("ETH", noon, out missing));
        Assert.Equal("no history for this asset", missing);
        Assert.Equal(day, market.FirstCommonDay);
    }

    [Fact]
    public async Task A_substitute_source_serves_every_provider_and_names_itself_in_each_quote()
    {
        var clock = new FakeTimeProvider(Start.AddHours(1));
        using var hub = new MarketDataHub(
            new PriceProviderSettings { Substitute = new SimulatedSource(new SimulatedMarket(42, Start), clock) },
            clock,
            NullLoggerFactory.Instance,
            new MarketDataMetrics(Prometheus.Metrics.NewCustomRegistry()));

        foreach (var provider in PriceProviders.All)
        {
            var service = hub.For(provider, out var reason);
            Assert.Null(reason);
            var btc = new AssetRef("BTC", "bitcoin");
            var snapshot = await service!.GetSnapshotAsync([btc], TimeSpan.FromMinutes(1), CancellationToken.None);
            Assert.Equal(SimulatedSource.SourceName, snapshot.Quote(btc)!.Source);
            Assert.Equal(new SimulatedMarket(42, Start).Quote("BTC", clock.GetUtcNow()).Price, snapshot.Quote(btc)!.Price);
        }
    }

    private static double StdDev(List<double> values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    private static double Correlation(List<double> x, List<double> y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my)) / (x.Count - 1);
        return cov / (StdDev(x) * StdDev(y));
    }
}
