using System.Text.Json.Nodes;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// The operator through time: prices going stale and fresh, prices moving a fund out of its bands. It runs on a fake
/// clock: its requeues and the price cache's refreshes happen only when the test advances time.
/// </summary>
public sealed class FakeClockEndToEndTests : IAsyncLifetime
{
    private static readonly string Fund = SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 10m}");
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly string folder = Directory.CreateTempSubdirectory("operator-clock-").FullName;
    private OperatorUnderTest op = null!;

    private LocalKubeCluster cluster => op.Cluster;

    private string PricesFile => Path.Combine(folder, "prices.json");

    public async Task InitializeAsync()
    {
        await WritePricesAsync(Start.AddHours(-1)); // an hour old: beyond the fund's maxAge of 10m
        op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { FilePath = PricesFile }, clock);
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private Task WritePricesAsync(DateTimeOffset observedAt, decimal btc = 50_000m) => File.WriteAllTextAsync(PricesFile, SixtyFortyFund.Prices(observedAt, btc));

    [Fact]
    public async Task A_price_move_beyond_the_threshold_rebalances_once_the_minimum_interval_has_passed()
    {
        using var kubectl = new Kubectl(cluster);
        await WritePricesAsync(Start);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));

        // BTC doubles: 0.11988 BTC is now worth 11988 of 15984 (75 %), 15 points over its 60 % target.
        clock.Advance(TimeSpan.FromMinutes(30));
        await WritePricesAsync(clock.GetUtcNow(), btc: 100_000m);
        var held = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "RebalanceHeldBack", advance: TimeSpan.FromSeconds(5));
        Assert.Equal(["75%", "25%"], held["allocations"]!.AsArray().Select(a => (string)a!["currentWeight"]!));
        Assert.StartsWith("BTC drift +15pp exceeds threshold 5pp", (string?)held["conditions"]![0]!["message"], StringComparison.Ordinal);

        // An hour after the first rebalance the minimum interval has passed: sell BTC, buy ETH, back within thresholds.
        clock.Advance(TimeSpan.FromMinutes(31));
        await WritePricesAsync(clock.GetUtcNow(), btc: 100_000m);
        var rebalanced = await PumpUntilAsync(
            kubectl, s => ReadyReason(s) == "WithinThresholds" && s?["rebalances"]?.AsArray().Count == 2, advance: TimeSpan.FromSeconds(5));
        Assert.Equal(
            [("Sell", "BTC"), ("Buy", "ETH")],
            rebalanced["trades"]!.AsArray().Where(t => (string?)t!["rebalanceId"] == "2").Select(t => ((string)t!["side"]!, (string)t["symbol"]!)));
        Assert.StartsWith("BTC drift +15pp", (string?)rebalanced["lastRebalanceReason"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_whose_every_order_is_below_the_minimum_trade_value_is_reported_and_trades_nothing()
    {
        using var kubectl = new Kubectl(cluster);
        await WritePricesAsync(Start);
        var fund = SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 10m}", extraSpec: "\n  rebalance: {minTradeValue: \"1000\"}");
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", fund));
        await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));

        // BTC at 63,000: 65.4 % of the fund, 5.4 points over target, yet selling back to 60 % is only 624.12.
        clock.Advance(TimeSpan.FromMinutes(61));
        await WritePricesAsync(clock.GetUtcNow(), btc: 63_000m);
        var idle = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "NothingToTrade", advance: TimeSpan.FromSeconds(5));
        var message = (string?)idle["conditions"]![0]!["message"];
        Assert.Equal(
            "BTC drift +5.4pp exceeds threshold 5pp; ETH drift -5.4pp exceeds threshold 5pp; no order is large enough to send: "
            + "Sell BTC: value 624.12 below minTradeValue 1000; Buy ETH: wanted 623.5 but no cash is available after sells and the cash buffer",
            message);

        // Refreshes go on: nothing is recorded, nothing is sent, no Event says a rebalance started.
        for (var i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            var observed = StatusText.Time(clock.GetUtcNow());
            await WritePricesAsync(clock.GetUtcNow(), btc: 63_000m);
            // This refresh evaluated (its prices' time is in status) and decided again that nothing can be traded.
            await PumpUntilAsync(kubectl, s => (string?)s?["lastPriceUpdate"] == observed && ReadyReason(s) == "NothingToTrade", advance: TimeSpan.FromSeconds(5));
        }

        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.Single(status["rebalances"]!.AsArray());
        Assert.Equal(2, status["trades"]!.AsArray().Count);
        var started = JsonNode.Parse(await kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalanceStarted", "-o", "json"))!["items"]!.AsArray();
        Assert.Equal(1, started.Sum(e => (int?)e!["count"] ?? 1));
    }

    [Fact]
    public async Task A_new_paper_fund_is_funded_by_one_status_write_per_phase_of_its_first_rebalance()
    {
        using var kubectl = new Kubectl(cluster);
        cluster.Requests.Clear();
        await ApplySettledFundAsync(kubectl);

        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.Equal(
            [("Buy", "BTC", "Completed"), ("Buy", "ETH", "Completed")],
            status["trades"]!.AsArray().Select(t => ((string)t!["side"]!, (string)t["symbol"]!, (string)t["status"]!)).Order());
        // The rebalance's plan (with the evaluated status), its buys, its end, then the report once it settled: paper keeps
        // no orders, so its orders are stored with the save that ends their phase, not each before and after it is sent.
        Assert.Equal(4, cluster.Requests.Count("patch", "indexfunds/status"));
    }

    [Fact]
    public async Task Refreshes_of_a_fund_whose_prices_did_not_change_write_nothing()
    {
        using var kubectl = new Kubectl(cluster);
        await ApplySettledFundAsync(kubectl);

        cluster.Requests.Clear();
        for (var i = 0; i < 10; i++)
        {
            await RefreshAsync();
        }

        Assert.Equal(0, cluster.Requests.Writes()); // ten refreshes: no status patch, no Event
    }

    [Fact]
    public async Task Refreshes_of_a_fund_with_no_rebalance_in_progress_read_it_from_the_cache_not_the_server()
    {
        using var kubectl = new Kubectl(cluster);
        await ApplySettledFundAsync(kubectl);

        cluster.Requests.Clear();
        for (var i = 0; i < 10; i++)
        {
            await WritePricesAsync(clock.GetUtcNow() + TimeSpan.FromSeconds(60), btc: 50_000m + i); // prices move: each refresh writes the status
            await RefreshAsync();
        }

        // Ten refreshes, ten status patches (one each), and no GET by the operator: the fund is the cache's.
        Assert.Equal(10, cluster.Requests.Count("patch", "indexfunds/status"));
        Assert.DoesNotContain(cluster.Requests.Where("get", "indexfunds"), r => !r.UserAgent.StartsWith("kubectl/", StringComparison.Ordinal));
    }

    /// <summary>
    /// Advances one refresh interval and waits until the fund has been reconciled for it and nothing else is queued or
    /// running: a reconcile already under way when the clock moved must not pass for the refresh's own.
    /// </summary>
    private async Task RefreshAsync()
    {
        var (before, _) = await ReconcilesAsync();
        clock.Advance(TimeSpan.FromSeconds(60)); // the refresh's requeue fires here: it is added before Advance returns
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); // a failure guard only
        while (await ReconcilesAsync() is var (refreshes, settled) && (refreshes == before || !settled))
        {
            Assert.True(DateTime.UtcNow < deadline, "the fund was not reconciled at its refresh");
            await Task.Delay(20);
        }

        // The watch brings the refresh's own write into the operator's cache before the next refresh: one read from a
        // cache still behind it meets a 409 and is retried with backoff on the fake clock, which nothing moves on here.
        using var kubectl = new Kubectl(cluster);
        var written = (await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "jsonpath={.metadata.resourceVersion}")).Trim();
        var cache = op.App.Services.GetRequiredService<Runtime.Manager>().Controllers.Single().Cache;
        while (cache.Get(new Runtime.ObjectKey("default", "sixty-forty"))?.ResourceVersion != written)
        {
            Assert.True(DateTime.UtcNow < deadline, "the operator's cache did not catch up with the fund");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// The reconciles that ended in a requeue_after (a refresh's do), and whether every key added to the queue has been
    /// reconciled (none waiting, none running): each add is taken by exactly one reconcile, whatever its result.
    /// </summary>
    private async Task<(double Refreshes, bool Settled)> ReconcilesAsync()
    {
        var lines = (await op.ScrapeAsync()).Split('\n');
        double Sum(string prefix) => lines.Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        var refreshes = Sum("controller_runtime_reconcile_total{controller=\"indexfund\",result=\"requeue_after\"}");
        var reconciles = Sum("controller_runtime_reconcile_total{controller=\"indexfund\",");
        var adds = Sum("workqueue_adds_total{name=\"indexfund\",");
        return (refreshes, adds == reconciles);
    }

    [Fact]
    public async Task Stale_prices_stop_trading_with_a_warning_and_fresh_ones_resume_it()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));

        var stale = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "PricesStale", advance: TimeSpan.Zero);
        Assert.Equal("False", (string?)stale["conditions"]![0]!["status"]);
        Assert.Contains("prices stale: BTC", (string?)stale["conditions"]![0]!["message"], StringComparison.Ordinal);
        Assert.Null(stale["trades"]);
        Assert.Contains("PricesStale", await kubectl.OkAsync("describe", "ifund", "sixty-forty"), StringComparison.Ordinal);

        // Later refreshes still find them stale (older now): reported in the condition, not by an Event each time.
        var firstMessage = (string?)stale["conditions"]![0]!["message"];
        await PumpUntilAsync(kubectl, s => ReadyReason(s) == "PricesStale" && (string?)s!["conditions"]![0]!["message"] != firstMessage, advance: TimeSpan.FromSeconds(30));
        var staleEvents = JsonNode.Parse(await kubectl.OkAsync("get", "events", "--field-selector", "reason=PricesStale", "-o", "json"))!["items"]!.AsArray();
        Assert.Equal(1, (int?)Assert.Single(staleEvents)!["count"] ?? 1);

        // Fresh prices arrive; the fund's next refresh (60s later on the operator's clock) picks them up and trades.
        await WritePricesAsync(Start);
        var ready = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));
        Assert.Equal(["Completed", "Completed"], ready["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        var described = await kubectl.OkAsync("describe", "ifund", "sixty-forty");
        Assert.Contains("RebalanceCompleted", described, StringComparison.Ordinal);
        var events = JsonNode.Parse(await kubectl.OkAsync("get", "events", "-o", "json"))!["items"]!.AsArray();
        var recovered = Assert.Single(events, e => (string?)e!["reason"] == "PricesRecovered")!;
        Assert.Equal(1, (int?)recovered["count"] ?? 1); // told once, by the reconcile whose rebalance wrote the fresh condition
    }

    [Fact]
    public async Task Changing_the_capital_of_a_funded_fund_moves_no_money_and_says_so_once_not_at_every_refresh()
    {
        using var kubectl = new Kubectl(cluster);
        await WritePricesAsync(Start);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        var funded = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        Assert.Equal("10000", (string?)funded["capital"]);

        await kubectl.OkAsync("patch", "ifund", "sixty-forty", "--type", "merge", "-p", """{"spec":{"capital":"40000"}}""");
        var after = await PumpUntilAsync(kubectl, s => (long?)s?["observedGeneration"] == 2, advance: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(61)); // further refreshes of the same generation
            await WritePricesAsync(clock.GetUtcNow());
            after = await PumpUntilAsync(kubectl, s => s?["lastPriceUpdate"]?.ToString() != after["lastPriceUpdate"]?.ToString(), advance: TimeSpan.FromSeconds(1));
        }

        Assert.Equal(("10000", (string?)funded["nav"]), ((string?)after["capital"], (string?)after["nav"]));
        Assert.Single(after["rebalances"]!.AsArray());
        var events = JsonNode.Parse(await kubectl.OkAsync("get", "events", "--field-selector", "reason=CapitalNotApplied", "-o", "json"))!["items"]!.AsArray();
        var warning = Assert.Single(events)!;
        Assert.Equal(("Warning", 1), ((string?)warning["type"], (int?)warning["count"] ?? 1));
        Assert.StartsWith("spec.capital is 40000 but the fund started from 10000: capital only funds a new fund", (string?)warning["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_fund_that_never_traded_takes_a_new_capital()
    {
        using var kubectl = new Kubectl(cluster);
        await WritePricesAsync(Start);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund + "\n  dryRun: true"));
        var planned = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "DryRun", advance: TimeSpan.FromSeconds(1));
        Assert.Equal(("10000", "10000"), ((string?)planned["capital"], (string?)planned["nav"]));

        await kubectl.OkAsync("patch", "ifund", "sixty-forty", "--type", "merge", "-p", """{"spec":{"capital":"40000"}}""");
        var after = await PumpUntilAsync(kubectl, s => (long?)s?["observedGeneration"] == 2, advance: TimeSpan.FromSeconds(1));

        Assert.Equal(("40000", "40000", "40000"), ((string?)after["capital"], (string?)after["nav"], (string?)after["cash"]));
        Assert.Contains("dry run", (string?)after["conditions"]![0]!["message"], StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await kubectl.OkAsync("get", "events", "--field-selector", "reason=CapitalNotApplied", "-o", "name")).Trim());

        // Trading for real, it is funded with the new capital.
        await kubectl.OkAsync("patch", "ifund", "sixty-forty", "--type", "merge", "-p", """{"spec":{"dryRun":false}}""");
        var funded = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        Assert.Equal("40000", (string?)funded["capital"]);
        Assert.Equal("40000", (string?)funded["execution"]!["startHoldings"]!["cash"]);
    }

    [Fact]
    public async Task A_fund_whose_spec_turns_invalid_is_still_valued_and_says_so_once()
    {
        using var kubectl = new Kubectl(cluster);
        await WritePricesAsync(Start);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        var funded = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        Assert.Equal("9990", (string?)funded["nav"]); // 10,000 less the fees

        // Weights summing to 95%: the schema takes it, the operator refuses it.
        await kubectl.OkAsync("patch", "ifund", "sixty-forty", "--type", "json", "-p", """[{"op":"replace","path":"/spec/constituents/1/weight","value":"35%"}]""");
        await PumpUntilAsync(kubectl, s => ReadyReason(s) == "InvalidSpec", advance: TimeSpan.FromSeconds(1));

        // BTC doubles: the books (0.12 BTC, 1.6 ETH after fees) are valued at the new price, against the last targets.
        clock.Advance(TimeSpan.FromSeconds(61));
        await WritePricesAsync(clock.GetUtcNow(), btc: 100_000m);
        var revalued = await PumpUntilAsync(kubectl, s => (string?)s?["nav"] != (string?)funded["nav"], advance: TimeSpan.FromSeconds(5));

        Assert.Equal("InvalidSpec", ReadyReason(revalued));
        var btc = revalued["allocations"]!.AsArray().Single(a => (string?)a!["symbol"] == "BTC")!;
        Assert.Equal(("100000", "60%"), ((string?)btc["price"], (string?)btc["targetWeight"]));
        var quantities = revalued["allocations"]!.AsArray().Sum(a => decimal.Parse((string)a!["value"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse((string)revalued["nav"]!, System.Globalization.CultureInfo.InvariantCulture), quantities + decimal.Parse((string)revalued["cash"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"cryptoindex_fund_nav{{fund_namespace=\"default\",fund=\"sixty-forty\"}} {(string?)revalued["nav"]}", await op.ScrapeAsync(), StringComparison.Ordinal);
        Assert.Equal(1L, (long?)revalued["rebalanceSequence"]); // valued, never traded

        var warnings = JsonNode.Parse(await kubectl.OkAsync("get", "events", "--field-selector", "reason=InvalidSpec", "-o", "json"))!["items"]!.AsArray();
        Assert.Equal(1, (int?)Assert.Single(warnings)!["count"] ?? 1);
    }

    [Fact]
    public async Task A_removed_constituent_without_a_current_price_is_kept_valued_and_not_sold_while_the_rest_rebalances()
    {
        using var kubectl = new Kubectl(cluster);
        string Prices(DateTimeOffset at, bool withXrp) => $$"""
            {"observedAt": "{{at.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}}", "assets": {
              "BTC": {"price": "50000", "marketCap": "900000000000"}, "ETH": {"price": "2500", "marketCap": "300000000000"}
              {{(withXrp ? ", \"XRP\": {\"price\": \"0.5\", \"marketCap\": \"30000000000\"}" : string.Empty)}} } }
            """;
        await File.WriteAllTextAsync(PricesFile, Prices(Start, withXrp: true));
        var threeAssets = Fund.Replace("weight: 40%}", "weight: 20%}\n    - {symbol: XRP, coinGeckoId: ripple, weight: 20%}", StringComparison.Ordinal);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", threeAssets));
        var funded = await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        var xrp = (string)funded["allocations"]!.AsArray().Single(a => (string?)a!["symbol"] == "XRP")!["quantity"]!;

        // XRP is delisted everywhere: no more prices for it. Then it leaves the index.
        clock.Advance(TimeSpan.FromMinutes(11));
        await File.WriteAllTextAsync(PricesFile, Prices(clock.GetUtcNow(), withXrp: false));
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        var after = await PumpUntilAsync(kubectl, s => (long?)s?["rebalanceSequence"] == 2 && ReadyReason(s) != "RebalanceNeeded", advance: TimeSpan.FromSeconds(1));

        var rebalance = after["rebalances"]!.AsArray()[0]!;
        Assert.Contains("not sent: Sell XRP: no current price", (string?)rebalance["message"], StringComparison.Ordinal);
        Assert.DoesNotContain(after["trades"]!.AsArray(), t => (string?)t!["rebalanceId"] == "2" && (string?)t["symbol"] == "XRP");
        Assert.Contains(after["trades"]!.AsArray(), t => (string?)t!["rebalanceId"] == "2"); // the rest rebalanced
        var held = after["allocations"]!.AsArray().Single(a => (string?)a!["symbol"] == "XRP")!;
        Assert.Equal((xrp, "0.5"), ((string?)held["quantity"], (string?)held["price"]));
        var books = decimal.Parse((string)after["execution"]!["startHoldings"]!["quantities"]!["XRP"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(decimal.Parse(xrp, System.Globalization.CultureInfo.InvariantCulture), books); // still in the books
    }

    private static string? ReadyReason(JsonNode? status) => FakeClockPump.ConditionReason(status);

    private Task<JsonNode> PumpUntilAsync(Kubectl kubectl, Func<JsonNode?, bool> done, TimeSpan advance) =>
        FakeClockPump.UntilAsync(kubectl, clock, "sixty-forty", done, advance);

    /// <summary>A 60/40 fund refreshing every minute, rebalanced and settled: its first rebalance done and reported.</summary>
    private async Task ApplySettledFundAsync(Kubectl kubectl)
    {
        await WritePricesAsync(Start);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 6h}")));
        await PumpUntilAsync(kubectl, s => ReadyReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        await RefreshAsync(); // the report after the rebalance settles
    }
}
