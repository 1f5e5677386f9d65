using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// A Binance fund whose drift calls for a rebalance whose every order is below the minimums records nothing and sends
/// nothing, so it must not write the finalizer either: adding and removing it at every price refresh was two API
/// writes per refresh for nothing. The operator runs on a fake clock against the fake Binance.
/// </summary>
public sealed class NothingToTradeFinalizerTests() : BinanceOperatorTest("operator-nothing-to-trade-")
{
    [Fact]
    public async Task Refreshes_that_find_nothing_large_enough_to_trade_never_write_the_finalizer()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest("\n  rebalance: {minTradeValue: \"1000\"}")));
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);
        Assert.Equal(2, BinanceOperator.OrdersPosted(Binance));

        // BTC at 63,000, an hour later: a drift beyond the threshold, yet every order is below minTradeValue.
        Clock.Advance(TimeSpan.FromMinutes(61));
        await WritePricesAsync(btc: 63_000m);
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == FundReconciler.NothingToTrade, advance: TimeSpan.FromSeconds(5));

        Op.Cluster.Requests.Clear();
        for (var i = 0; i < 3; i++)
        {
            Clock.Advance(TimeSpan.FromMinutes(1));
            var observed = StatusText.Time(Clock.GetUtcNow());
            await WritePricesAsync(btc: 63_000m);
            await PumpUntilAsync(
                s => (string?)s?["lastPriceUpdate"] == observed && FakeClockPump.ConditionReason(s) == FundReconciler.NothingToTrade, advance: TimeSpan.FromSeconds(5));
        }

        Assert.DoesNotContain(Op.Cluster.Requests.Where(verb: "patch", resource: "indexfunds"), r => r.Subresource.Length == 0); // metadata (the finalizer): untouched
        Assert.Equal(2, BinanceOperator.OrdersPosted(Binance));
    }

    private Task WritePricesAsync(decimal btc) =>
        File.WriteAllTextAsync(Path.Combine(Folder, "prices.json"), SixtyFortyFund.Prices(Clock.GetUtcNow(), btc));
}
