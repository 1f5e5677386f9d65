using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// Deleting a fund never loses a trade: while a rebalance on a real exchange is in progress the fund holds the
/// finalizer <c>cryptoindex.io/rebalance-in-progress</c>; deleted then, it sends no new order, looks up the orders
/// already sent until each is resolved, tells the rebalance's final record in an Event and only then lets go. A fund
/// with no rebalance in progress, or on paper, goes at once; another controller's finalizer is kept. The operator runs
/// on a fake clock against the fake Binance (fault injection) and on paper.
/// </summary>
public sealed class FundDeletionTests() : BinanceOperatorTest("operator-deletion-")
{
    private const string Finalizer = "cryptoindex.io/rebalance-in-progress";
    private const string OtherFinalizer = "example.com/keep";

    /// <summary>
    /// The BTC buy executes but its answer is lost (502) and its look-ups fail: the fund is deleted with that order's
    /// outcome unknown. It stays (deletionTimestamp set) and says why, the ETH buy is never sent, the BTC buy is looked
    /// up once the exchange answers, its fill is told in an Event, and then the fund is gone (or, with another
    /// controller's finalizer on it, left to that controller).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fund_deleted_with_an_order_whose_answer_was_lost_waits_for_its_lookup_and_tells_its_fill(bool otherFinalizer)
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await ApplyWithFirstAnswerLostAsync();
        Assert.Equal([Finalizer], await FinalizersAsync()); // held while the rebalance is in progress
        if (otherFinalizer)
        {
            await Kubectl.OkAsync("patch", "ifund", Fund, "--type=json", "-p", $$"""[{"op":"add","path":"/metadata/finalizers/-","value":"{{OtherFinalizer}}"}]""");
        }

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");

        // The fund stays, paused by its deletion: nothing more is sent, the lost order is looked up.
        var deleting = await PumpUntilAsync(
            s => FakeClockPump.ConditionReason(s, "Reconciling") == "Deleting", alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 1);
        var later = Clock.GetUtcNow().AddMinutes(3);
        await PumpUntilAsync(_ => false, advance: TimeSpan.FromSeconds(5), alsoDone: () => Clock.GetUtcNow() >= later);
        deleting = await PumpUntilAsync(_ => true);
        Assert.Equal(1, BinanceOperator.OrdersPosted(Binance)); // the ETH buy was never sent
        Assert.NotNull(JsonNode.Parse(await Kubectl.OkAsync("get", "ifund", Fund, "-o", "json"))!["metadata"]!["deletionTimestamp"]);
        Assert.Equal("Sent", Leg(deleting, "BTC")["state"]!.GetValue<string>());
        var reconciling = (string)FakeClockPump.Condition(deleting, "Reconciling")!["message"]!;
        Assert.Contains(
            "paused by the fund's deletion: 1 order not sent (buy ETH); 1 order sent before the pause is looked up until the exchange reports its fills (look-up failed",
            reconciling,
            StringComparison.Ordinal);
        Assert.EndsWith($"the fund is deleted once every order sent is resolved (finalizer {Finalizer}); its final record is told in an Event", reconciling, StringComparison.Ordinal);
        Assert.Equal(("False", "Deleting"), ((string?)FakeClockPump.Condition(deleting, "Ready")!["status"], FakeClockPump.ConditionReason(deleting)));

        // The exchange answers again: the order is found, its fill told, and the fund lets go.
        var lookupsBefore = Binance.RequestLog.Count(r => r.StartsWith(LookupEndpoint, StringComparison.Ordinal));
        Binance.ClearFaults();
        if (otherFinalizer)
        {
            await PumpUntilAsync(async () => await FinalizersAsync() is not [_, _], "our finalizer removed");
            Assert.Equal([OtherFinalizer], await FinalizersAsync()); // the other controller's finalizer is kept; ours is gone
            Assert.False(await GoneAsync());
            await Kubectl.OkAsync("patch", "ifund", Fund, "--type=json", "-p", """[{"op":"remove","path":"/metadata/finalizers"}]""");
        }

        await PumpUntilAsync(GoneAsync, "deleted");

        Assert.True(Binance.RequestLog.Count(r => r.StartsWith(LookupEndpoint, StringComparison.Ordinal)) > lookupsBefore);
        var executed = Assert.Single(Binance.State.OrderRequests); // the BTC buy, executed once; nothing else sent
        Assert.Equal(("BTC", "FILLED"), (executed.Symbol, executed.Outcome));
        var told = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalanceClosedByDelete", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Equal("Normal", (string?)told["type"]);
        var message = (string)told["message"]!;
        Assert.StartsWith("fund deleted; rebalance 1 (binance, started ", message, StringComparison.Ordinal);
        Assert.Contains(
            $"stopped: 1 of 2 orders filled (buy {(executed.Quantity / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture)} BTC at ", // without trailing zeros
            message,
            StringComparison.Ordinal);
        Assert.Contains(executed.ClientOrderId, message, StringComparison.Ordinal);
        Assert.EndsWith("; not sent: buy ETH; the holdings stay in the exchange account", message, StringComparison.Ordinal);
    }

    /// <summary>
    /// As above, but the spec was made invalid before the delete: the lost BTC buy is still looked up once the exchange
    /// answers, its fill told, and the fund goes; nothing more is sent.
    /// </summary>
    [Fact]
    public async Task A_fund_deleted_with_an_invalid_spec_still_looks_its_order_up_and_goes()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await ApplyWithFirstAnswerLostAsync();
        await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "json", "-p", """[{"op":"replace","path":"/spec/constituents/1/weight","value":"35%"}]""");
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "InvalidSpec");

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");
        var deleting = await PumpUntilAsync(
            s => FakeClockPump.ConditionReason(s, "Reconciling") == "Deleting", alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 1);
        Assert.Equal("Sent", Leg(deleting, "BTC")["state"]!.GetValue<string>());

        Binance.ClearFaults();
        await PumpUntilAsync(GoneAsync, "deleted");

        var executed = Assert.Single(Binance.State.OrderRequests);
        Assert.Equal(("BTC", "FILLED"), (executed.Symbol, executed.Outcome));
        var told = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalanceClosedByDelete", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Contains(executed.ClientOrderId, (string)told["message"]!, StringComparison.Ordinal);
    }

    /// <summary>
    /// spec.exchange is pointed at another Secret while the BTC buy's outcome is unknown, then the fund is deleted: the
    /// buy is looked up where the rebalance recorded it (Secret binance-keys), its fill told, and the fund goes.
    /// </summary>
    [Fact]
    public async Task A_fund_deleted_after_spec_exchange_changed_looks_its_order_up_on_the_account_recorded_and_goes()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await LoseTheFirstOrderAsync();
        await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", """{"spec":{"exchange":{"credentialsSecretRef":{"name":"other-keys"}}}}""");
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "ExchangeChanged");

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");
        Binance.ClearFaults();
        await PumpUntilAsync(GoneAsync, "deleted");

        var executed = Assert.Single(Binance.State.OrderRequests); // looked up, nothing else sent
        Assert.Equal(("BTC", "FILLED"), (executed.Symbol, executed.Outcome));
        var told = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalanceClosedByDelete", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Contains(executed.ClientOrderId, (string)told["message"]!, StringComparison.Ordinal);
    }

    /// <summary>
    /// The operator is restarted with Binance switched off while the BTC buy's outcome is unknown, then the fund is
    /// deleted: the order cannot be looked up, so the fund stays, and Ready, Stalled and a Warning say why the deletion
    /// waits, which order, and how to remove the finalizer by hand.
    /// </summary>
    [Fact]
    public async Task A_fund_deleted_while_its_exchange_is_disabled_says_why_its_deletion_waits_and_how_to_force_it()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        var order = await LoseTheFirstOrderAsync();
        await Op.RestartAsync(Clock, reconfigure: o => o with { BinanceDisabled = "binance is switched off in this operator" });

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");
        var waiting = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "ExchangeDisabled" && FakeClockPump.ConditionReason(s, "Reconciling") == "Deleting");

        var message = (string)FakeClockPump.Condition(waiting, "Ready")!["message"]!;
        Assert.StartsWith("spec.exchange.kind: binance is switched off in this operator; the fund's deletion waits", message, StringComparison.Ordinal);
        Assert.Contains(order, message, StringComparison.Ordinal);
        Assert.EndsWith("""kubectl patch ifund sixty-forty -n default --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]'""", message, StringComparison.Ordinal);
        Assert.Equal(("True", "ExchangeDisabled"), ((string?)FakeClockPump.Condition(waiting, "Stalled")!["status"], FakeClockPump.ConditionReason(waiting, "Stalled")));
        // Told before the delete too (the rebalance could not go on), without the deletion's part.
        var warnings = JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=ExchangeDisabled", "-o", "json"))!["items"]!.AsArray();
        var warning = Assert.Single(warnings, e => (string?)e!["message"] == message)!;
        Assert.Equal("Warning", (string?)warning["type"]);
        Assert.Equal([Finalizer], await FinalizersAsync()); // the record of the order sent is kept
        Assert.Equal("Sent", Leg(waiting, "BTC")["state"]!.GetValue<string>());
    }

    /// <summary>The BTC buy executes but its answer is lost and its look-ups fail (until the faults are cleared); returns its client order id.</summary>
    private async Task<string> LoseTheFirstOrderAsync()
    {
        var waiting = await ApplyWithFirstAnswerLostAsync();
        return (string)Leg(waiting, "BTC")["clientOrderId"]!;
    }

    /// <summary>
    /// The BTC buy gets a 503 before it reaches the exchange (nothing executes): its outcome is unknown until the
    /// exchange's receive window has passed and a look-up still finds nothing. The fund is deleted meanwhile. Once the
    /// order can no longer arrive it is known never received: recorded as not sent (a deletion sends nothing), and the
    /// fund goes instead of looking it up forever.
    /// </summary>
    [Fact]
    public async Task A_fund_deleted_with_an_order_the_exchange_never_received_goes_once_that_order_can_no_longer_arrive()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        Binance.Inject(BinanceOperator.OrderEndpoint, Fault.ServerErrorBefore());
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest()));
        var unknown = await PumpUntilAsync(
            s => ((string?)FakeClockPump.Condition(s, "Reconciling")?["message"])?.Contains("not found yet", StringComparison.Ordinal) == true);
        Assert.Equal("Sent", Leg(unknown, "BTC")["state"]!.GetValue<string>());

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");
        await PumpUntilAsync(GoneAsync, "deleted");

        Assert.Equal(1, BinanceOperator.OrdersPosted(Binance)); // the attempt that never arrived; not resent
        Assert.Empty(Binance.State.ExecutionsPerClientOrderId());
        var told = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalanceClosedByDelete", "-o", "json"))!["items"]!.AsArray())!;
        Assert.EndsWith("stopped: 0 of 2 orders filled; not sent: buy BTC, buy ETH; the holdings stay in the exchange account", (string)told["message"]!, StringComparison.Ordinal);
    }

    /// <summary>A Binance fund whose rebalance finished holds no finalizer any more: deleted, it is gone at once.</summary>
    [Fact]
    public async Task A_binance_fund_with_no_rebalance_in_progress_is_deleted_at_once()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest()));
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);
        await PumpUntilAsync(async () => (await FinalizersAsync()).Count == 0, "its finalizer removed");
        Assert.Equal(2, BinanceOperator.OrdersPosted(Binance));

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");

        Assert.True(await GoneAsync());
    }

    /// <summary>A paper fund never holds the finalizer (nothing outside the cluster holds its orders): deleted, it is gone at once.</summary>
    [Fact]
    public async Task A_paper_fund_is_deleted_at_once()
    {
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 6h}")));
        var funded = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds");
        Assert.Equal("Done", (string?)funded["execution"]!["phase"]);
        Assert.Empty(await FinalizersAsync());

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");

        Assert.True(await GoneAsync());
    }

    private static JsonNode Leg(JsonNode status, string symbol) =>
        status["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == symbol)!;

    private async Task<List<string>> FinalizersAsync() =>
        JsonNode.Parse(await Kubectl.OkAsync("get", "ifund", Fund, "-o", "json"))!["metadata"]!["finalizers"]?.AsArray().Select(f => (string)f!).ToList() ?? [];

    private async Task<bool> GoneAsync()
    {
        var (exit, _, err) = await Kubectl.RunAsync("get", "ifund", Fund, "-o", "json");
        return exit != 0 && err.Contains("NotFound", StringComparison.Ordinal);
    }

    /// <summary>Advances the clock until <paramref name="done"/> holds (of the fund's metadata, or its absence).</summary>
    private Task PumpUntilAsync(Func<Task<bool>> done, string what) => FakeClockPump.UntilAsync(
        Clock, done, TimeSpan.FromSeconds(5), async () => $"fund {Fund}: never {what}; it is now:\n{(await Kubectl.RunAsync("get", "ifund", Fund, "-o", "json")).Out}");
}
