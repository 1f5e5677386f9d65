using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// The reconcile timeout (<c>--reconcile-timeout</c>) cancels a reconcile whose order is on its way: recorded as sent,
/// not answered. The order is then looked up by its client order id and adopted, never sent again.
/// </summary>
public sealed class ReconcileTimeoutOrderTests() : BinanceOperatorTest("operator-reconcile-timeout-")
{

    /// <summary>
    /// The exchange holds the BTC buy past the 2 s reconcile timeout (shorter than the client's own 10 s request
    /// timeout, so the reconcile's cancellation is what ends the wait), then executes it after the operator gave up on
    /// the answer, inside its receive window. Nobody saw that fill: the next reconciles look the order up and adopt it.
    /// </summary>
    [Fact]
    public async Task An_order_cut_off_by_the_reconcile_timeout_is_looked_up_and_adopted_not_resent()
    {
        await Op.RestartAsync(reconfigure: o => o with { ReconcileTimeout = TimeSpan.FromSeconds(2) });
        await BinanceOperator.CreateSecretAsync(Kubectl);
        var held = Fault.Hold();
        Binance.Inject(BinanceOperator.OrderEndpoint, held);
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest()));
        await PumpUntilAsync(_ => false, advance: TimeSpan.Zero, alsoDone: () => held.Arrived.Task.IsCompleted);

        // The reconcile runs out of time while the exchange holds its order.
        Clock.Advance(TimeSpan.FromSeconds(3));
        await FakeClockPump.UntilAsync(
            Clock,
            async () => (await Op.ScrapeAsync()).Split('\n').Any(l => l.StartsWith("controller_runtime_reconcile_timeouts_total{", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal)),
            TimeSpan.Zero,
            () => Task.FromResult("the reconcile never timed out"));

        held.Release.SetResult();
        await held.Processed.Task;

        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);
        var first = Binance.State.OrderRequests[0].ClientOrderId;
        Assert.Equal(("BTC", "FILLED"), (Binance.State.OrderRequests[0].Symbol, Binance.State.OrderRequests[0].Outcome));
        Assert.Single(Binance.State.OrderRequests, r => r.ClientOrderId == first); // adopted, never resent
        Assert.Contains(Binance.RequestLog, r => r.StartsWith(LookupEndpoint, StringComparison.Ordinal) && r.Contains(first, StringComparison.Ordinal));
        Assert.All(Binance.State.ExecutionsPerClientOrderId(), e => Assert.Equal(1, e.Value));
        Assert.Equal(["Completed", "Completed"], done["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        Assert.Equal(Binance.State.Balance("USDT"), decimal.Parse((string)done["cash"]!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
