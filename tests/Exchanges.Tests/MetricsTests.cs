using System.Text;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;
using Prometheus;

namespace CryptoIndex.Exchanges.Tests;

public sealed class MetricsTests
{
    private static async Task<string> Export(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Orders_latency_and_unknown_outcome_look_ups_are_counted_in_the_given_registry()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject("POST /api/v3/order", Fault.TimeoutAfter());
        fund.Fake.Inject("POST /api/v3/order", Fault.None());
        fund.Fake.Inject("POST /api/v3/order", Fault.Reject(-2010, "Account has insufficient balance for requested action."));
        await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        var text = await Export(fund.Registry);
        Assert.Contains("cryptoindex_exchange_orders_total{exchange=\"binance\",side=\"sell\",outcome=\"unknown\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_orders_total{exchange=\"binance\",side=\"sell\",outcome=\"filled\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_orders_total{exchange=\"binance\",side=\"buy\",outcome=\"rejected\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_orders_total{exchange=\"binance\",side=\"buy\",outcome=\"filled\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_order_lookups_total{exchange=\"binance\",result=\"found\"} 1", text, StringComparison.Ordinal);
        // Latency is measured on the injected clock: the timed-out order took the fake's 30 s jump, the others no time.
        Assert.Contains("cryptoindex_exchange_order_duration_seconds_sum{exchange=\"binance\"} 30", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_order_duration_seconds_bucket{exchange=\"binance\",le=\"10.24\"} 3", text, StringComparison.Ordinal);

        Assert.DoesNotContain("cryptoindex_exchange", await Export(Metrics.DefaultRegistry), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_accepted_order_still_open_with_nothing_executed_is_counted_as_open_not_rejected()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject("POST /api/v3/order", Fault.OpenPartial(0m));
        var waiting = await fund.Executor().StartAsync(fund.Start(), CancellationToken.None);
        Assert.Equal(LegState.Sent, waiting.Record!.Legs.Single(l => l.Leg == 1).State);

        var text = await Export(fund.Registry);
        Assert.Contains("cryptoindex_exchange_orders_total{exchange=\"binance\",side=\"sell\",outcome=\"open\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome=\"rejected\"", text, StringComparison.Ordinal);
    }
}
