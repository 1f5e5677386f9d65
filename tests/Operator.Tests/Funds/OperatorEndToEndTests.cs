using System.Text.Json.Nodes;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>The operator as it runs (runtime, reconciler, paper exchange, file prices) against LocalKube, seen through kubectl.</summary>
public sealed class OperatorEndToEndTests : IAsyncLifetime
{
    private static readonly string Fund = SixtyFortyFund.Manifest();
    private readonly string folder = Directory.CreateTempSubdirectory("operator-e2e-").FullName;
    private OperatorUnderTest op = null!;

    private LocalKubeCluster cluster => op.Cluster;

    public async Task InitializeAsync()
    {
        var prices = Path.Combine(folder, "prices.json");
        // The operator runs on the real clock here, so the prices are observed "now" and stay fresh for the test.
        await File.WriteAllTextAsync(prices, SixtyFortyFund.Prices(DateTimeOffset.UtcNow));
        op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { FilePath = prices });
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_new_fund_is_funded_on_paper_and_becomes_ready_with_its_trades_and_events()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));

        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");

        var fund = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!;
        var status = fund["status"]!;
        Assert.Equal((string?)fund["metadata"]!["generation"]?.ToString(), status["observedGeneration"]?.ToString());
        Assert.Equal("WithinThresholds", (string?)status["conditions"]![0]!["reason"]);
        Assert.Equal(("9990", "0"), ((string?)status["nav"], (string?)status["cash"])); // 0.1 % fees on 10,000
        Assert.Equal(
            [("BTC", "60%", "0.11988"), ("ETH", "40%", "1.5984")],
            status["allocations"]!.AsArray().Select(a => ((string)a!["symbol"]!, (string)a["currentWeight"]!, (string)a["quantity"]!)));
        Assert.Equal(["Completed", "Completed"], status["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        Assert.NotNull(status["lastRebalanceTime"]);
        Assert.StartsWith("first funding", (string?)status["lastRebalanceReason"], StringComparison.Ordinal);
        var rebalance = status["rebalances"]!.AsArray().Single()!;
        Assert.Equal(("1", "Completed", "10000", "10"), ((string?)rebalance["id"], (string?)rebalance["phase"], (string?)rebalance["turnover"], (string?)rebalance["fees"]));

        var table = await kubectl.OkAsync("get", "ifund");
        var described = await kubectl.OkAsync("describe", "ifund", "sixty-forty");
        Assert.Matches(@"sixty-forty\s+True\s+9990\s+0pp", table);
        Assert.Contains("RebalanceStarted", described, StringComparison.Ordinal);
        Assert.Contains("RebalanceCompleted", described, StringComparison.Ordinal);
        Assert.Contains("rebalance 1: 2 of 2 orders completed", described, StringComparison.Ordinal);

        var metrics = await ScrapeAsync();
        Assert.Contains("cryptoindex_fund_nav{fund_namespace=\"default\",fund=\"sixty-forty\"} 9990", metrics, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_ready{fund_namespace=\"default\",fund=\"sixty-forty\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_trading{fund_namespace=\"default\",fund=\"sixty-forty\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_target_weight{fund_namespace=\"default\",fund=\"sixty-forty\",symbol=\"BTC\"} 0.6", metrics, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_rebalances_total{fund_namespace=\"default\",fund=\"sixty-forty\",outcome=\"completed\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_trades_total{fund_namespace=\"default\",fund=\"sixty-forty\",side=\"buy\",status=\"completed\"} 2", metrics, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_fees_total{fund_namespace=\"default\",fund=\"sixty-forty\"} 10", metrics, StringComparison.Ordinal);

        // A deleted fund's series go with it, so dashboards do not show a ghost fund.
        await kubectl.OkAsync("delete", "ifund", "sixty-forty");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await ScrapeAsync()).Contains("fund=\"sixty-forty\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the deleted fund's metrics were not removed");
            await Task.Delay(100); // real-clock operator under test: poll its effect
        }
    }

    [Fact]
    public async Task An_unchanged_fund_costs_one_status_write_per_requested_reconcile_and_nothing_else()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");
        await RequestReconcileAsync(kubectl, 0); // let the report after the first funding settle
        var before = await StatusWithoutHandledRequestAsync(kubectl);

        cluster.Requests.Clear();
        const int Requests = 5;
        for (var i = 1; i <= Requests; i++)
        {
            await RequestReconcileAsync(kubectl, i);
        }

        // Each request is acknowledged in status.lastHandledReconcileAt (one write); nothing else churns: no
        // evaluation timestamps, no re-sent events, no rebalance.
        Assert.Equal(Requests, cluster.Requests.Count(verb: "patch", resource: "indexfunds/status"));
        Assert.Equal(0, cluster.Requests.Count(verb: "update", resource: "indexfunds/status"));
        Assert.Equal(0, cluster.Requests.Writes("events"));
        Assert.Equal(before, await StatusWithoutHandledRequestAsync(kubectl));
    }

    private static async Task<string> StatusWithoutHandledRequestAsync(Kubectl kubectl)
    {
        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!.AsObject();
        status.Remove("lastHandledReconcileAt");
        return status.ToJsonString();
    }

    /// <summary>Asks for a reconcile the way users do (Flux's requestedAt convention) and waits until it was handled.</summary>
    private static async Task RequestReconcileAsync(Kubectl kubectl, int round)
    {
        var requestedAt = "round-" + round.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await kubectl.OkAsync("annotate", "--overwrite", "ifund", "sixty-forty", "reconcile.cryptoindex.io/requestedAt=" + requestedAt);
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.lastHandledReconcileAt}=" + requestedAt, "ifund/sixty-forty", "--timeout=30s");
    }

    private Task<string> ScrapeAsync() => op.ScrapeAsync();

    [Fact]
    public async Task A_dry_run_fund_plans_and_reports_its_orders_but_never_trades()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund + "\n  dryRun: true"));

        await kubectl.OkAsync("wait", "--for=jsonpath={.status.conditions[0].reason}=DryRun", "ifund/sixty-forty", "--timeout=30s");

        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.Equal("True", (string?)status["conditions"]![0]!["status"]);
        Assert.Equal(("10000", "10000"), ((string?)status["nav"], (string?)status["cash"]));
        Assert.Null(status["trades"]);
        Assert.Null(status["execution"]);
        var plan = status["rebalances"]!.AsArray().Single()!;
        Assert.Equal(("dry-run", "DryRun", "10000", "10"), ((string?)plan["id"], (string?)plan["phase"], (string?)plan["turnover"], (string?)plan["fees"]));
        Assert.Equal("would buy 0.12 BTC, buy 1.6 ETH; nothing was sent", (string?)plan["message"]);
        Assert.Contains("RebalancePlanned", await kubectl.OkAsync("describe", "ifund", "sixty-forty"), StringComparison.Ordinal);
        // The drift alert skips funds that may not trade.
        Assert.Contains("cryptoindex_fund_trading{fund_namespace=\"default\",fund=\"sixty-forty\"} 0", await ScrapeAsync(), StringComparison.Ordinal);

        // Trading for real: the plan the dry run left gives way to the real rebalance.
        await kubectl.OkAsync("patch", "ifund", "sixty-forty", "--type=merge", "-p", "{\"spec\":{\"dryRun\":false}}");
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.conditions[0].reason}=WithinThresholds", "ifund/sixty-forty", "--timeout=30s");
        status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.Equal(["1"], status["rebalances"]!.AsArray().Select(r => (string)r!["id"]!));
    }

    [Fact]
    public async Task A_suspended_fund_is_reported_but_not_traded_until_resumed()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund + "\n  suspend: true"));

        await kubectl.OkAsync("wait", "--for=jsonpath={.status.conditions[0].reason}=Suspended", "ifund/sixty-forty", "--timeout=30s");
        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.StartsWith("suspended: first funding", (string?)status["conditions"]![0]!["message"], StringComparison.Ordinal);
        Assert.Equal("10000", (string?)status["nav"]);
        Assert.Null(status["trades"]);

        await kubectl.OkAsync("patch", "ifund", "sixty-forty", "--type=merge", "-p", "{\"spec\":{\"suspend\":false}}");
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");

        status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.Equal(["Completed", "Completed"], status["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        Assert.Equal("2", status["observedGeneration"]?.ToString());
    }

    [Fact]
    public async Task A_spec_change_is_acted_on_at_once_and_wait_returns_only_for_the_new_generation()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");

        var fiftyFifty = Fund.Replace("weight: 60%", "weight: 50%", StringComparison.Ordinal).Replace("weight: 40%", "weight: 50%", StringComparison.Ordinal);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", fiftyFifty));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");

        // The new targets are observed at once; the default minInterval (1h) holds the trade back, and says so.
        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        var ready = status["conditions"]![0]!;
        Assert.Equal(("2", "RebalanceHeldBack"), (ready["observedGeneration"]?.ToString(), (string?)ready["reason"]));
        Assert.Matches(@"^BTC drift \+10pp exceeds threshold 5pp; ETH drift -10pp exceeds threshold 5pp; held back: only \d+s since the last rebalance, minInterval is 1h$", (string?)ready["message"]);
        Assert.Equal(["50%", "50%"], status["allocations"]!.AsArray().Select(a => (string)a!["targetWeight"]!));

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", fiftyFifty + "\n  rebalance: {minInterval: 0s}"));
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.conditions[0].observedGeneration}=3", "ifund/sixty-forty", "--timeout=30s");
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.conditions[0].reason}=WithinThresholds", "ifund/sixty-forty", "--timeout=30s");

        status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        var second = status["trades"]!.AsArray().Where(t => (string?)t!["rebalanceId"] == "2").Select(t => ((string)t!["side"]!, (string)t["symbol"]!)).ToList();
        Assert.Equal([("Sell", "BTC"), ("Buy", "ETH")], second); // sells before buys
        Assert.Equal(["2", "1"], status["rebalances"]!.AsArray().Select(r => (string)r!["id"]!));
        Assert.Equal(["50%", "50%"], status["allocations"]!.AsArray().Select(a => (string)a!["currentWeight"]!));
    }

    /// <summary>Sets the requestedAt annotation with a read and an update (no patch: the tests fail the operator's patches).</summary>
    private async Task RequestReconcileByUpdateAsync(string requestedAt)
    {
        using var client = cluster.CreateClient();
        var fund = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("cryptoindex.io", "v1alpha1", "default", "indexfunds", "sixty-forty");
        var metadata = fund["metadata"]!.AsObject();
        if (metadata["annotations"] is not JsonObject annotations)
        {
            metadata["annotations"] = annotations = new JsonObject();
        }

        annotations[FundReconciler.RequestedAtAnnotation] = requestedAt;
        await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(fund, "cryptoindex.io", "v1alpha1", "default", "indexfunds", "sixty-forty");
    }

    [Fact]
    public async Task A_fund_that_vanishes_while_it_is_reconciled_is_not_a_reconcile_error_and_is_tried_again()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");
        var before = await ScrapeAsync();

        // The operator's next write of the fund finds it gone (as after a delete), while its cache still has it (it reads
        // the fund from there: its first request to the server is the status write).
        cluster.Faults.FailNext(1, 404, verb: "patch", resource: "indexfunds", name: "sixty-forty");
        await RequestReconcileByUpdateAsync("gone"); // an update: a patch would meet the 404 itself
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Sum(await ScrapeAsync(), "controller_runtime_reconcile_total") == Sum(before, "controller_runtime_reconcile_total"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the fund was not reconciled");
            await Task.Delay(50);
        }

        Assert.Equal(Sum(before, "controller_runtime_reconcile_errors_total"), Sum(await ScrapeAsync(), "controller_runtime_reconcile_errors_total"));

        // It was not deleted after all: the requeue carries on with it.
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.lastHandledReconcileAt}=gone", "ifund/sixty-forty", "--timeout=30s");
    }

    [Fact]
    public async Task A_fund_that_keeps_answering_404_while_it_still_exists_is_a_reconcile_error()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");
        var before = await ScrapeAsync();

        // Three status writes in a row answer 404 while the fund stays (as every one does for a CRD without its status
        // subresource): the first may be a delete, the ones after it are errors.
        cluster.Faults.FailNext(3, 404, verb: "patch", resource: "indexfunds", name: "sixty-forty");
        await RequestReconcileByUpdateAsync("still-here");
        double Errors(string exposition) => Sum(exposition, "controller_runtime_reconcile_errors_total") - Sum(before, "controller_runtime_reconcile_errors_total");
        var deadline = DateTime.UtcNow.AddSeconds(30); // watched from the metrics: a kubectl get now could meet a 404 meant for the operator
        while (Errors(await ScrapeAsync()) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the second and third 404 were not counted as errors");
            await Task.Delay(50);
        }

        await kubectl.OkAsync("wait", "--for=jsonpath={.status.lastHandledReconcileAt}=still-here", "ifund/sixty-forty", "--timeout=30s");
        Assert.Equal(2, Errors(await ScrapeAsync()));
    }

    [Fact]
    public async Task Fills_that_do_not_fit_the_holdings_stall_the_fund_instead_of_valuing_it_from_older_books()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");
        var funded = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;

        // As if the first buy had filled a thousand times over: more than the fund's cash could pay.
        await kubectl.OkAsync("patch", "ifund", "sixty-forty", "--subresource=status", "--type=json", "-p",
            """[{"op":"replace","path":"/status/execution/legs/0/fills/0/quantity","value":"1000"}]""");
        await RequestReconcileAsync(kubectl, 1);

        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        var conditions = status["conditions"]!.AsArray();
        var ready = conditions.Single(c => (string?)c!["type"] == "Ready")!;
        Assert.Equal(("False", "LedgerMismatch"), ((string?)ready["status"], (string?)ready["reason"]));
        Assert.Contains("the fills of rebalance 1 do not fit", (string?)ready["message"], StringComparison.Ordinal);
        Assert.Contains(conditions, c => (string?)c!["type"] == "Stalled" && (string?)c["status"] == "True");
        Assert.Equal((string?)funded["nav"], (string?)status["nav"]); // nothing revalued from the older books
        Assert.Equal(1L, (long?)status["rebalanceSequence"]);
        var events = await kubectl.OkAsync("get", "events", "--field-selector", "involvedObject.name=sixty-forty", "-o", "json");
        Assert.Contains("LedgerMismatch", events, StringComparison.Ordinal);
    }

    private static double Sum(string exposition, string metric) => exposition.Split('\n')
        .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_removed_constituent_is_sold_at_once_and_not_traded_again()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");

        var btcOnly = Fund.Replace("weight: 60%", "weight: 100%", StringComparison.Ordinal)
            .Replace("    - {symbol: ETH, coinGeckoId: ethereum, weight: 40%}\n", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("ETH", btcOnly, StringComparison.Ordinal);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", btcOnly));
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.rebalanceSequence}=2", "ifund/sixty-forty", "--timeout=30s");
        await RequestReconcileAsync(kubectl, 1); // once more: a removed constituent must not fire again

        // Not held back by minInterval: a constituent change is acted on at once. ETH is sold in full, exactly once.
        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.Equal("WithinThresholds", (string?)status["conditions"]![0]!["reason"]);
        Assert.Equal(2L, (long?)status["rebalanceSequence"]);
        var second = status["trades"]!.AsArray().Where(t => (string?)t!["rebalanceId"] == "2").ToList();
        Assert.Equal([("Sell", "ETH", "1.5984"), ("Buy", "BTC", "0.07984008")], second.Select(t => ((string)t!["side"]!, (string)t["symbol"]!, (string)t["quantity"]!)));
        Assert.Equal(["BTC"], status["allocations"]!.AsArray().Select(a => (string)a!["symbol"]!));

        // The record's targets no longer mention ETH: a plain merge patch kept the old key (ETH: 0.4), which made
        // every later reconcile see "removed ETH" again and trade in a loop.
        var execution = status["execution"]!;
        Assert.Equal(["BTC"], execution["inputs"]!["targets"]!.AsObject().Select(p => p.Key));
        Assert.Equal("1.5984", (string?)execution["startHoldings"]!["quantities"]!["ETH"]); // what rebalance 2 started from
    }

    [Fact]
    public async Task An_invalid_fund_is_stalled_with_the_field_named_and_never_trades()
    {
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Fund.Replace("weight: 40%", "weight: 30%", StringComparison.Ordinal)));

        await kubectl.OkAsync("wait", "--for=condition=Stalled", "ifund/sixty-forty", "--timeout=30s");

        var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "sixty-forty", "-o", "json"))!["status"]!;
        Assert.Equal("InvalidSpec", (string?)status["conditions"]![1]!["reason"]);
        Assert.Contains("spec.constituents: manual weights sum to 90%", (string?)status["conditions"]![1]!["message"], StringComparison.Ordinal);
        Assert.Null(status["trades"]);
        Assert.Contains("InvalidSpec", await kubectl.OkAsync("describe", "ifund", "sixty-forty"), StringComparison.Ordinal);
    }
}
