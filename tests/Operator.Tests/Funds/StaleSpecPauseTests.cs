using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// A pause (spec.suspend, the fund's deletion) that lands while a reconcile is already under way, from a copy of the fund
/// read before it: that reconcile must not send an order the server's fund no longer allows. Its journal saves read the
/// fund from the server, so the pause is seen there even though the reconcile's own copy (the cache's) predates it.
/// </summary>
public sealed class StaleSpecPauseTests() : BinanceOperatorTest("operator-stale-pause-")
{

    /// <summary>
    /// The BTC buy gets a 503 before it reaches the exchange: it is looked up until its receive window has passed. The
    /// look-up that would lead to its resend is held on the exchange while the fund is suspended (or deleted); released,
    /// it finds nothing. The reconcile that asked it decided from the fund before the pause: it must not resend the buy.
    /// </summary>
    [Theory]
    [InlineData("suspend")]
    [InlineData("delete")]
    public async Task A_reconcile_under_way_when_the_fund_is_paused_sends_nothing_more(string pause)
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        Binance.Inject(BinanceOperator.OrderEndpoint, Fault.ServerErrorBefore());
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest()));
        await PumpUntilAsync(
            s => ((string?)FakeClockPump.Condition(s, "Reconciling")?["message"])?.Contains("not found yet", StringComparison.Ordinal) == true,
            advance: TimeSpan.Zero);

        // The next look-up comes once the attempt can no longer arrive: held, so the fund is paused while it is asked.
        var held = Fault.Hold();
        Binance.Inject(LookupEndpoint, held);
        await PumpUntilAsync(_ => false, alsoDone: () => held.Arrived.Task.IsCompleted);
        if (pause == "suspend")
        {
            await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", """{"spec":{"suspend":true}}""");
        }
        else
        {
            await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");
        }

        held.Release.SetResult();
        await held.Processed.Task;

        if (pause == "suspend")
        {
            await PumpUntilAsync(
                s => FakeClockPump.ConditionReason(s, "Reconciling") == "Suspended" && BtcLeg(s) == "Pending",
                advance: TimeSpan.Zero, alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 1);
        }
        else
        {
            await FakeClockPump.UntilAsync(
                Clock,
                async () => BinanceOperator.OrdersPosted(Binance) > 1 || (await Kubectl.RunAsync("get", "ifund", Fund)).Exit != 0,
                TimeSpan.Zero,
                () => Task.FromResult("the fund was never deleted"));
        }

        Assert.Equal(1, BinanceOperator.OrdersPosted(Binance)); // the attempt that never arrived; not resent after the pause
        Assert.Empty(Binance.State.ExecutionsPerClientOrderId());
    }

    private static string? BtcLeg(System.Text.Json.Nodes.JsonNode? status) =>
        (string?)status?["execution"]?["legs"]?.AsArray().FirstOrDefault(l => (string?)l?["symbol"] == "BTC")?["state"];
}
