using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Operator.Funds;

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
}
