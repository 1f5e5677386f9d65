using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// A fund whose spec or Secret points somewhere else between rebalances: its books are on one account, and nothing may
/// trade from them on another. The operator runs on a fake clock against the fake Binance.
/// </summary>
public sealed class ExchangeMoveTests() : BinanceOperatorTest("operator-move-")
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await BinanceOperator.CreateSecretAsync(Kubectl);
    }

    /// <summary>
    /// With a history of one, a dry run's plan pushes the traded rebalance out of <c>status.rebalances</c>; the
    /// record itself still says where the books are, so keys of another account in the Secret are still refused.
    /// </summary>
    [Fact]
    public async Task The_books_account_binds_the_next_rebalance_after_a_dry_run_pushed_the_last_one_out_of_the_history()
    {
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest("\n  historyLimit: 1\n  rebalance: {minInterval: 0s}")));
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds");
        await PatchSpecAsync("""{"dryRun":true}""");
        await WritePricesAsync(btc: 70_000m);
        var planned = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "DryRun");
        Assert.Equal(["dry-run"], planned["rebalances"]!.AsArray().Select(r => (string)r!["id"]!));
        var posts = BinanceOperator.OrdersPosted(Binance);

        await BinanceOperator.ReplaceSecretAsync(Kubectl, FakeBinance.OtherApiKey, FakeBinance.OtherSecretKey);
        await PatchSpecAsync("""{"dryRun":false}""");
        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "ExchangeChanged");

        Assert.Contains("but the fund's books are on account uid-", (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"], StringComparison.Ordinal);
        Assert.Equal(posts, BinanceOperator.OrdersPosted(Binance));
        Assert.Equal(1L, (long?)stalled["rebalanceSequence"]); // nothing recorded
    }

    /// <summary>
    /// Paper BTC and ETH are not on the Binance account: pointed there, the fund is stalled naming spec.exchange, the
    /// account is never asked anything, the books stay as they were; pointed back, it trades on paper from them.
    /// </summary>
    [Fact]
    public async Task A_paper_fund_holding_positions_is_not_traded_on_binance_and_resumes_when_spec_exchange_is_put_back()
    {
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest(
            prices: "{provider: file, refreshInterval: 60s, maxAge: 6h}", extraSpec: "\n  rebalance: {minInterval: 0s}")));
        var funded = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds");

        await WritePricesAsync(btc: 70_000m); // enough to rebalance
        await PatchSpecAsync("""{"exchange":{"kind":"binance","credentialsSecretRef":{"name":"binance-keys"}}}""");
        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "ExchangeChanged");

        var message = (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"];
        Assert.StartsWith("spec.exchange names binance, Secret binance-keys, but the fund's books hold BTC, ETH bought on paper (play money)", message, StringComparison.Ordinal);
        Assert.Equal(("False", message), ((string?)FakeClockPump.Condition(stalled, "Ready")!["status"], (string?)FakeClockPump.Condition(stalled, "Ready")!["message"]));
        await Kubectl.OkAsync("annotate", "--overwrite", "ifund", Fund, "reconcile.cryptoindex.io/requestedAt=again");
        var again = await PumpUntilAsync(s => (string?)s?["lastHandledReconcileAt"] == "again");
        Assert.Empty(Binance.RequestLog);
        Assert.Equal(funded["execution"]!.ToJsonString(), again["execution"]!.ToJsonString());
        var warning = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=ExchangeChanged", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Equal(1, (int?)warning["count"] ?? 1);

        await PatchSpecAsync("""{"exchange":{"kind":"paper","credentialsSecretRef":null}}""");
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && (long?)s?["rebalanceSequence"] == 2 && s?["rebalanceInProgress"] is null);

        Assert.Null(FakeClockPump.Condition(done, "Stalled"));
        Assert.Equal("paper", (string?)done["execution"]!["venue"]);
        Assert.Empty(Binance.RequestLog);
    }

    private Task<string> PatchSpecAsync(string spec) => Kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", $$"""{"spec":{{spec}}}""");

    private Task WritePricesAsync(decimal btc) => File.WriteAllTextAsync(Path.Combine(Folder, "prices.json"), SixtyFortyFund.Prices(Clock.GetUtcNow(), btc));

    private Task<JsonNode> PumpUntilAsync(Func<JsonNode?, bool> done) => FakeClockPump.UntilAsync(Kubectl, Clock, Fund, done, TimeSpan.FromSeconds(5));
}
