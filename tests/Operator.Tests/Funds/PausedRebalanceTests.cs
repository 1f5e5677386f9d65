using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// <c>spec.suspend</c> and <c>spec.dryRun</c> set while a rebalance is in progress: no order is sent any more (a pending
/// leg stays pending, even once the exchange would take it), orders already sent are still looked up so their fills
/// reach the books, the status says the rebalance is paused and how many orders were not sent, and clearing the
/// setting finishes the rebalance with every order executed once. The operator runs on a fake clock against the fake
/// Binance (fault injection) and on paper.
/// </summary>
public sealed class PausedRebalanceTests() : BinanceOperatorTest("operator-paused-")
{

    /// <summary>
    /// The first funding buys BTC, then its ETH buy meets a ban (418, Retry-After 120 s). The fund is paused meanwhile;
    /// long after the ban has lifted, nothing was sent and the leg is still pending; resumed, the rebalance completes.
    /// </summary>
    [Theory]
    [InlineData("suspend", "Suspended", "False", "suspended: ")]
    [InlineData("dryRun", "DryRun", "True", "dry run: ")]
    public async Task A_buy_waiting_on_a_ban_is_not_sent_once_the_fund_is_paused_and_resuming_completes_the_rebalance_once(
        string setting, string reason, string ready, string prefix)
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        Binance.InjectAt(BinanceOperator.OrderEndpoint, 2, Fault.TooManyRequests(418, seconds: 120));
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest()));
        var banned = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Reconciling") == "WaitingForExchange");
        Assert.Equal([("BTC", "Completed"), ("ETH", "Pending")], Trades(banned));
        Assert.Equal(2, BinanceOperator.OrdersPosted(Binance)); // the BTC buy, and the ETH buy refused by the ban
        var ethOrder = (string)banned["trades"]!.AsArray().Single(t => (string?)t!["symbol"] == "ETH")!["id"]!;

        await PatchSpecAsync($$"""{"{{setting}}":true}""");

        // The operator has seen the patch before the clock moves on (the ban cannot lift while it stands still): a
        // reconcile from a cache that lags the patch would otherwise send the buy.
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Reconciling") == reason, advance: TimeSpan.Zero, alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 2);

        // Long after the ban has lifted: nothing more reached the exchange, the leg is still pending.
        var until = Clock.GetUtcNow().AddMinutes(5);
        await PumpUntilAsync(_ => false, advance: TimeSpan.FromSeconds(5), alsoDone: () => Clock.GetUtcNow() >= until);
        var paused = await PumpUntilAsync(_ => true);
        Assert.Equal(2, BinanceOperator.OrdersPosted(Binance));
        Assert.Equal([("BTC", "Completed"), ("ETH", "Pending")], Trades(paused));

        // The pause is the operator's answer to generation 2: Argo CD and Flux wait for observedGeneration to reach it.
        Assert.Equal(2L, (long?)paused["observedGeneration"]);
        Assert.Equal("Pending", (string?)paused["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "ETH")!["state"]);
        var reconciling = FakeClockPump.Condition(paused, "Reconciling")!;
        Assert.Equal(
            $"rebalance 1: Buying, 1 of 2 orders completed; paused by spec.{setting}: 1 order not sent (buy ETH); set spec.{setting} to false to continue it where it stopped, with the orders as planned when it started ({paused["rebalanceInProgress"]!["startedAt"]})",
            (string?)reconciling["message"]);
        var readyCondition = FakeClockPump.Condition(paused, "Ready")!;
        Assert.Equal((ready, reason), ((string?)readyCondition["status"], (string?)readyCondition["reason"]));
        Assert.StartsWith(prefix + $"rebalance 1 paused by spec.{setting}: 1 order not sent (buy ETH)", (string?)readyCondition["message"], StringComparison.Ordinal);
        var told = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=" + reason, "-o", "json"))!["items"]!.AsArray())!;
        Assert.Equal(("Normal", (string?)readyCondition["message"]), ((string?)told["type"], (string?)told["message"]));
        Assert.Equal(1, (int?)told["count"] ?? 1); // told once, not at every refresh
        Assert.Contains("cryptoindex_fund_trading{fund_namespace=\"default\",fund=\"sixty-forty\"} 0", await Op.ScrapeAsync(), StringComparison.Ordinal);

        await PatchSpecAsync($$"""{"{{setting}}":false}""");
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);

        Assert.Null(FakeClockPump.Condition(done, "Reconciling"));
        Assert.Equal([("BTC", "Completed"), ("ETH", "Completed")], Trades(done));
        Assert.Single(Binance.State.OrderRequests, o => o.ClientOrderId == ethOrder); // sent once, after the resume
        AssertEachOrderExecutedOnceAndLedgerEqualsAccount(done);
    }

    /// <summary>
    /// The BTC buy executes but its answer is lost (502), and its look-ups fail for a while: the fund is suspended with
    /// that order sent. It is still looked up while suspended and its fill recorded; the ETH buy is not sent until the
    /// fund is resumed.
    /// </summary>
    [Fact]
    public async Task An_order_sent_before_the_suspend_is_still_looked_up_and_its_fill_recorded_but_the_next_is_not_sent()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        var waiting = await ApplyWithFirstAnswerLostAsync();
        Assert.Contains("look-up failed", (string?)FakeClockPump.Condition(waiting, "Reconciling")!["message"], StringComparison.Ordinal);

        await PatchSpecAsync("""{"suspend":true}""");
        var lookingUp = await PumpUntilAsync(
            s => FakeClockPump.ConditionReason(s, "Reconciling") == "Suspended", alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 1);
        Assert.Equal(1, BinanceOperator.OrdersPosted(Binance));
        Assert.Equal("Sent", (string?)lookingUp["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "BTC")!["state"]); // still looked up
        Assert.Contains(
            "paused by spec.suspend: 1 order not sent (buy ETH); 1 order sent before the pause is looked up until the exchange reports its fills (look-up failed",
            (string?)FakeClockPump.Condition(lookingUp, "Reconciling")!["message"],
            StringComparison.Ordinal);

        // The exchange answers again: the order sent before the pause is found and its fill recorded, while still suspended.
        var recorded = await SentOrderRecordedWhilePausedAsync();
        Assert.Equal(
            $"rebalance 1: Buying, 1 of 2 orders completed; paused by spec.suspend: 1 order not sent (buy ETH); set spec.suspend to false to continue it where it stopped, with the orders as planned when it started ({recorded["rebalanceInProgress"]!["startedAt"]})",
            (string?)FakeClockPump.Condition(recorded, "Reconciling")!["message"]);

        await PatchSpecAsync("""{"suspend":false}""");
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);
        Assert.Equal([("BTC", "Completed"), ("ETH", "Completed")], Trades(done));
        Assert.Equal(2, BinanceOperator.OrdersPosted(Binance));
        AssertEachOrderExecutedOnceAndLedgerEqualsAccount(done);
    }

    /// <summary>
    /// The BTC buy executes but its answer is lost (502) and its look-ups fail: the spec is then made invalid (weights
    /// summing to 95 %). Nothing more is sent, but the BTC buy is still looked up and its fill recorded once; Ready and
    /// Reconciling say the rebalance is held by the invalid spec, naming the field; fixed, the rebalance completes.
    /// </summary>
    [Fact]
    public async Task An_order_sent_before_the_spec_turned_invalid_is_still_looked_up_and_its_fill_recorded_once()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await ApplyWithFirstAnswerLostAsync();

        await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "json", "-p", """[{"op":"replace","path":"/spec/constituents/1/weight","value":"35%"}]""");
        var invalid = await PumpUntilAsync(
            s => FakeClockPump.ConditionReason(s) == "InvalidSpec" && FakeClockPump.ConditionReason(s, "Reconciling") == "InvalidSpec",
            alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 1);
        Assert.Equal("Sent", (string?)invalid["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "BTC")!["state"]);
        var ready = FakeClockPump.Condition(invalid, "Ready")!;
        Assert.Equal("False", (string?)ready["status"]);
        Assert.StartsWith("spec.constituents", (string?)ready["message"], StringComparison.Ordinal); // the field and its rule first
        Assert.Contains("rebalance 1 paused by the invalid spec: 1 order not sent (buy ETH)", (string?)ready["message"], StringComparison.Ordinal);
        Assert.Equal(("True", "InvalidSpec"), ((string?)FakeClockPump.Condition(invalid, "Stalled")?["status"], FakeClockPump.ConditionReason(invalid, "Stalled")));
        Assert.Contains(
            "paused by the invalid spec: 1 order not sent (buy ETH); 1 order sent before the pause is looked up until the exchange reports its fills (look-up failed",
            (string?)FakeClockPump.Condition(invalid, "Reconciling")!["message"],
            StringComparison.Ordinal);
        Assert.Equal(2L, (long?)invalid["observedGeneration"]);

        // The exchange answers again: the BTC buy is found and its fill recorded while the spec is still invalid; three
        // more minutes pass without the ETH buy being sent.
        var recorded = await SentOrderRecordedWhilePausedAsync();
        Assert.Equal(("InvalidSpec", "InvalidSpec"), (FakeClockPump.ConditionReason(recorded), FakeClockPump.ConditionReason(recorded, "Reconciling")));
        Assert.Equal("Warning", (string?)Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=InvalidSpec", "-o", "json"))!["items"]!.AsArray())!["type"]);

        await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "json", "-p", """[{"op":"replace","path":"/spec/constituents/1/weight","value":"40%"}]""");
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);
        Assert.Null(FakeClockPump.Condition(done, "Reconciling"));
        Assert.Null(FakeClockPump.Condition(done, "Stalled"));
        Assert.Equal([("BTC", "Completed"), ("ETH", "Completed")], Trades(done));
        AssertEachOrderExecutedOnceAndLedgerEqualsAccount(done);
    }

    /// <summary>
    /// The BTC buy executes but its answer is lost (502) and its look-ups fail: spec.exchange is then pointed at another
    /// Secret (which does not even exist). Nothing is sent on either account, but the BTC buy is still looked up on the
    /// account the rebalance recorded and its fill recorded once; Ready, Stalled and Reconciling say ExchangeChanged and
    /// what to do; put back, the rebalance completes there.
    /// </summary>
    [Fact]
    public async Task An_order_sent_before_spec_exchange_changed_is_looked_up_on_the_recorded_account_and_its_fill_recorded_once()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await ApplyWithFirstAnswerLostAsync();

        await PatchSpecAsync("""{"exchange":{"credentialsSecretRef":{"name":"other-keys"}}}""");
        var changed = await PumpUntilAsync(
            s => FakeClockPump.ConditionReason(s) == "ExchangeChanged" && FakeClockPump.ConditionReason(s, "Reconciling") == "ExchangeChanged",
            alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 1);
        Assert.Equal("Sent", (string?)changed["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "BTC")!["state"]);
        var ready = (string)FakeClockPump.Condition(changed, "Ready")!["message"]!;
        Assert.StartsWith(
            "spec.exchange changed while rebalance 1 was open: it trades on binance, Secret binance-keys, the spec now says binance, Secret other-keys; "
            + "rebalance 1 paused by the change of spec.exchange: 1 order not sent (buy ETH)",
            ready,
            StringComparison.Ordinal);
        Assert.Contains("put spec.exchange back to binance, Secret binance-keys to continue it", ready, StringComparison.Ordinal);
        Assert.Equal(("True", "ExchangeChanged"), ((string?)FakeClockPump.Condition(changed, "Stalled")?["status"], FakeClockPump.ConditionReason(changed, "Stalled")));
        Assert.Contains(
            "paused by the change of spec.exchange: 1 order not sent (buy ETH); 1 order sent before the pause is looked up until the exchange reports its fills (look-up failed",
            (string?)FakeClockPump.Condition(changed, "Reconciling")!["message"],
            StringComparison.Ordinal);
        Assert.Equal(2L, (long?)changed["observedGeneration"]);

        // The exchange answers again: the BTC buy is found on the recorded account and its fill recorded while the spec
        // still names the other Secret; three more minutes pass without the ETH buy being sent anywhere.
        var recorded = await SentOrderRecordedWhilePausedAsync();
        Assert.Equal(("ExchangeChanged", "ExchangeChanged", "ExchangeChanged"),
            (FakeClockPump.ConditionReason(recorded), FakeClockPump.ConditionReason(recorded, "Stalled"), FakeClockPump.ConditionReason(recorded, "Reconciling")));
        var warning = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=ExchangeChanged", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Equal(("Warning", 1), ((string?)warning["type"], (int?)warning["count"] ?? 1));

        await PatchSpecAsync("""{"exchange":{"credentialsSecretRef":{"name":"binance-keys"}}}""");
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);
        Assert.Null(FakeClockPump.Condition(done, "Reconciling"));
        Assert.Null(FakeClockPump.Condition(done, "Stalled"));
        Assert.Equal([("BTC", "Completed"), ("ETH", "Completed")], Trades(done));
        AssertEachOrderExecutedOnceAndLedgerEqualsAccount(done);
    }

    /// <summary>
    /// A paper rebalance resumed after spec.exchange.feeRate changed is charged the rate it was planned with (recorded
    /// when it started), not the new one: its buys were sized so that their fees fit the cash at that rate.
    /// </summary>
    [Fact]
    public async Task A_resumed_paper_rebalance_is_charged_the_fee_rate_it_was_planned_with()
    {
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 6h}")));
        var funded = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds");
        var eth = funded["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "ETH")!;
        var ethFee = (string)eth["fills"]![0]!["fee"]!;

        // The fee rate changes; then, as if the operator had stopped before the ETH buy was sent, the rebalance is open.
        await PatchSpecAsync("""{"exchange":{"feeRate":"1%"}}""");
        await PumpUntilAsync(s => (long?)s?["observedGeneration"] == 2);
        var leg = funded["execution"]!["legs"]!.AsArray().IndexOf(eth);
        await Kubectl.OkAsync("patch", "ifund", Fund, "--subresource=status", "--type=json", "-p", $$"""
            [{"op":"replace","path":"/status/execution/phase","value":"Buying"},
             {"op":"remove","path":"/status/execution/finishedAt"},
             {"op":"replace","path":"/status/execution/legs/{{leg}}/state","value":"Pending"},
             {"op":"replace","path":"/status/execution/legs/{{leg}}/attempts","value":"0"},
             {"op":"remove","path":"/status/execution/legs/{{leg}}/sentAt"},
             {"op":"remove","path":"/status/execution/legs/{{leg}}/exchangeOrderId"},
             {"op":"replace","path":"/status/execution/legs/{{leg}}/executedQuantity","value":"0"},
             {"op":"replace","path":"/status/execution/legs/{{leg}}/fills","value":[]}]
            """);
        await Kubectl.OkAsync("annotate", "--overwrite", "ifund", Fund, "reconcile.cryptoindex.io/requestedAt=resume");
        var done = await PumpUntilAsync(s => (string?)s?["execution"]?["phase"] == "Done" && (string?)s?["lastHandledReconcileAt"] == "resume");

        var resumed = done["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "ETH")!;
        Assert.Equal(("Completed", (string?)eth["quantity"]), ((string?)resumed["state"], (string?)resumed["executedQuantity"]));
        Assert.Equal(ethFee, (string?)resumed["fills"]![0]!["fee"]); // 0.1 % of 3996, as planned; not 1 %
        Assert.Equal("0.001", (string?)done["execution"]!["inputs"]!["options"]!["feeRate"]);
    }

    /// <summary>
    /// The exchange answers again while the rebalance stays paused: the BTC buy sent before the pause is found and its
    /// fill recorded, never resent; three more minutes pass without the ETH buy being sent. Returns the status then.
    /// </summary>
    private async Task<JsonNode> SentOrderRecordedWhilePausedAsync()
    {
        Binance.ClearFaults();
        await PumpUntilAsync(
            s => (string?)s?["execution"]?["legs"]?.AsArray().Single(l => (string?)l!["symbol"] == "BTC")!["state"] == "Completed",
            advance: TimeSpan.FromSeconds(5),
            alsoDone: () => BinanceOperator.OrdersPosted(Binance) > 1);
        var later = Clock.GetUtcNow().AddMinutes(3);
        await PumpUntilAsync(_ => false, advance: TimeSpan.FromSeconds(5), alsoDone: () => Clock.GetUtcNow() >= later);
        var recorded = await PumpUntilAsync(_ => true);
        Assert.Equal(1, BinanceOperator.OrdersPosted(Binance)); // the ETH buy was never sent
        Assert.Equal([("BTC", "Completed"), ("ETH", "Pending")], Trades(recorded));
        var btc = recorded["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "BTC")!;
        var executed = Assert.Single(Binance.State.OrderRequests);
        Assert.Equal(("BTC", "FILLED"), (executed.Symbol, executed.Outcome));
        Assert.Equal(executed.Quantity, decimal.Parse((string)btc["executedQuantity"]!, CultureInfo.InvariantCulture)); // the fill is in the books
        Assert.NotEmpty(btc["fills"]!.AsArray());
        Assert.Equal("1", (string?)btc["attempts"]); // looked up, never resent
        return recorded;
    }

    private static List<(string Symbol, string Status)> Trades(JsonNode? status) =>
        status?["trades"]?.AsArray().Select(t => ((string)t!["symbol"]!, (string)t["status"]!)).OrderBy(t => t.Item1, StringComparer.Ordinal).ToList() ?? [];

    private Task<string> PatchSpecAsync(string spec) => Kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", $$"""{"spec":{{spec}}}""");

    /// <summary>No client order id executed twice, and the fund's quantities and cash are the account's balances.</summary>
    private void AssertEachOrderExecutedOnceAndLedgerEqualsAccount(JsonNode status)
    {
        var executions = Binance.State.ExecutionsPerClientOrderId();
        Assert.All(executions, e => Assert.Equal(1, e.Value));
        Assert.Equal(2, executions.Count);
        foreach (var symbol in new[] { "BTC", "ETH" })
        {
            var quantity = (string)status["allocations"]!.AsArray().Single(a => (string?)a!["symbol"] == symbol)!["quantity"]!;
            Assert.Equal(Binance.State.Balance(symbol), decimal.Parse(quantity, CultureInfo.InvariantCulture));
        }

        Assert.Equal(Binance.State.Balance("USDT"), decimal.Parse((string)status["cash"]!, CultureInfo.InvariantCulture));
    }
}
