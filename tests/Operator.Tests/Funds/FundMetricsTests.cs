using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Operator.Funds;
using CsCheck;

namespace CryptoIndex.Operator.Tests.Funds;

public sealed class FundMetricsTests
{
    [Fact]
    public async Task A_replica_that_stops_leading_drops_every_fund_series_and_keeps_the_families()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new FundMetrics(registry);
        var valuation = Valuation.Evaluate(
            Holdings.Of(100m, ("BTC", 1m)), new Dictionary<string, decimal> { ["BTC"] = 900m }, new Dictionary<string, decimal> { ["BTC"] = 1m }).Value;
        metrics.Observe("team-a", "one", valuation, ready: true);
        metrics.Observe("team-b", "two", valuation, ready: false);

        metrics.ForgetAll();

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain("fund=\"", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE cryptoindex_fund_ready gauge", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_asset_the_fund_no_longer_holds_or_targets_keeps_no_series()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new FundMetrics(registry);
        var before = Valuation.Evaluate(Holdings.Of(0m, ("BTC", 1m), ("ZZZQ", 10m)), Map(("BTC", 900m), ("ZZZQ", 90m)), Map(("BTC", 0.5m), ("ZZZQ", 0.5m))).Value;
        var after = Valuation.Evaluate(Holdings.Of(0m, ("BTC", 1m), ("ETH", 0.3m)), Map(("BTC", 900m), ("ETH", 3000m)), Map(("BTC", 0.5m), ("ETH", 0.5m))).Value;
        metrics.Observe("team-a", "one", before, ready: true);
        metrics.Observe("team-a", "other", before, ready: true);

        metrics.Observe("team-a", "one", after, ready: true);

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        Assert.DoesNotContain("fund=\"one\",symbol=\"ZZZQ\"", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_drift{fund_namespace=\"team-a\",fund=\"one\",symbol=\"ETH\"}", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_drift{fund_namespace=\"team-a\",fund=\"other\",symbol=\"ZZZQ\"}", text, StringComparison.Ordinal); // another fund's stays
    }

    [Fact]
    public async Task An_asset_dropped_by_a_fund_created_again_after_a_delete_keeps_no_series()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new FundMetrics(registry);
        var two = Valuation.Evaluate(Holdings.Of(0m, ("BTC", 1m), ("ZZZQ", 10m)), Map(("BTC", 900m), ("ZZZQ", 90m)), Map(("BTC", 0.5m), ("ZZZQ", 0.5m))).Value;
        var btcOnly = Valuation.Evaluate(Holdings.Of(0m, ("BTC", 1m)), Map(("BTC", 900m)), Map(("BTC", 1m))).Value;
        metrics.Observe("team-a", "one", btcOnly, ready: true);
        metrics.Forget("team-a", "one");
        metrics.Observe("team-a", "one", two, ready: true); // created again, with an asset more

        metrics.Observe("team-a", "one", btcOnly, ready: true);

        var text = await ExportAsync(registry);
        Assert.DoesNotContain("symbol=\"ZZZQ\"", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_drift{fund_namespace=\"team-a\",fund=\"one\",symbol=\"BTC\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_funds_own_rebalance_rules_are_exported_and_go_with_the_fund()
    {
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var metrics = new FundMetrics(registry);
        metrics.SetRules("team-a", "wide", new CryptoIndex.Engine.Decisions.RebalancePolicy(0.1m, MinInterval: TimeSpan.FromHours(24)));
        metrics.SetRules("team-a", "other", new CryptoIndex.Engine.Decisions.RebalancePolicy(0.05m));

        var text = await ExportAsync(registry);
        Assert.Contains("cryptoindex_fund_rebalance_threshold{fund_namespace=\"team-a\",fund=\"wide\"} 0.1\n", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_rebalance_min_interval_seconds{fund_namespace=\"team-a\",fund=\"wide\"} 86400\n", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_rebalance_min_interval_seconds{fund_namespace=\"team-a\",fund=\"other\"} 0\n", text, StringComparison.Ordinal);

        metrics.Forget("team-a", "wide");

        Assert.DoesNotContain("fund=\"wide\"", await ExportAsync(registry), StringComparison.Ordinal);
    }

    private static Dictionary<string, decimal> Map(params (string Symbol, decimal Value)[] entries) =>
        entries.ToDictionary(e => e.Symbol, e => e.Value, StringComparer.Ordinal);

    private static async Task<string> ExportAsync(Prometheus.CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>One step of a metrics history: a fund valued with some of the symbols, forgotten, or every fund forgotten.</summary>
    private sealed record MetricsStep(int Fund, bool[] Holds, int Kind);

    [Fact]
    public void After_any_history_each_fund_has_weight_series_for_exactly_the_assets_of_its_last_valuation()
    {
        string[] symbols = ["BTC", "ETH", "SOL"];
        var step = Gen.Select(Gen.Int[0, 2], Gen.Bool.Array[3], Gen.Int[0, 9], (fund, holds, kind) => new MetricsStep(fund, holds, kind));
        step.Array[1, 25].Sample(history =>
        {
            var metrics = new FundMetrics(Prometheus.Metrics.NewCustomRegistry());
            var expected = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var (fundIndex, holds, kind) in history)
            {
                var fund = "fund-" + fundIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (kind == 0)
                {
                    metrics.ForgetAll();
                    expected.Clear();
                }
                else if (kind == 1)
                {
                    metrics.Forget("team-a", fund);
                    expected.Remove(fund);
                }
                else
                {
                    var held = symbols.Where((_, i) => holds[i] || i == fundIndex).ToArray(); // one at least
                    var targets = held.Select((symbol, i) => (symbol, i == 0 ? 1m - (0.25m * (held.Length - 1)) : 0.25m));
                    var valuation = Valuation.Evaluate(
                        Holdings.Of(100m, [.. held.Select(symbol => (symbol, 1m))]), Map([.. held.Select(symbol => (symbol, 10m))]), Map([.. targets])).Value;
                    metrics.Observe("team-a", fund, valuation, ready: true);
                    expected[fund] = [.. held];
                }

                foreach (var gauge in new[] { metrics.TargetWeight, metrics.CurrentWeight, metrics.Drift })
                {
                    var series = gauge.GetAllLabelValues().Select(l => l[1] + "/" + l[2]).Order(StringComparer.Ordinal);
                    Assert.Equal(expected.SelectMany(f => f.Value.Select(symbol => f.Key + "/" + symbol)).Order(StringComparer.Ordinal), series);
                }
            }
        });
    }
}
