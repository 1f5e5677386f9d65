using System.Text.Json.Nodes;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Paper;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using CryptoIndex.Operator.Funds;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>A paper rebalance recorded and executed through the fund's status on an API server.</summary>
public sealed class StatusRebalanceJournalTests : IAsyncLifetime
{
    private static readonly Dictionary<string, decimal> Prices = new(StringComparer.Ordinal) { ["BTC"] = 50_000m, ["ETH"] = 2_500m };
    private static readonly Dictionary<string, decimal> Targets = new(StringComparer.Ordinal) { ["BTC"] = 0.6m, ["ETH"] = 0.4m };
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    private LocalKubeCluster cluster = null!;
    private IKubernetes client = null!;
    private string uid = string.Empty;

    public async Task InitializeAsync()
    {
        cluster = await LocalKubeCluster.StartAsync();
        client = cluster.CreateClient();
        await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "crds", CrdGenerator.FileName)));
        var created = await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "samples", "manual.yaml")));
        uid = (string)created[0]["metadata"]!["uid"]!;
    }

    public async Task DisposeAsync() => await cluster.DisposeAsync();

    private StatusRebalanceJournal Journal() => new(client, "default", "manual-60-30-10", historyLimit: 50);

    private RebalanceExecutor Executor(IRebalanceJournal journal)
    {
        var paper = new PaperExchange(s => Prices[s], _ => Task.FromResult(Holdings.CashOnly(10_000m)), new PaperOptions(FeeRate: 0.001m), clock);
        // Paper fills at the reference price (no slippage configured), so the buys need no headroom for a worse fill.
        return new RebalanceExecutor(
            paper, journal, new ExchangeMetrics(Prometheus.Metrics.NewCustomRegistry()), clock, NullLogger<RebalanceExecutor>.Instance, new ExecutorOptions(BuyHeadroom: 0m));
    }

    private RebalanceStart Start(long sequence) => new(uid, sequence, Holdings.CashOnly(10_000m), Targets, Prices, new PlanOptions(FeeRate: 0.001m));

    private async Task<JsonObject> StatusAsync() =>
        (await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "manual-60-30-10"))["status"]!.AsObject();

    [Fact]
    public async Task A_rebalance_is_recorded_in_status_with_its_trades_and_numbers_as_strings()
    {
        var result = await Executor(Journal()).StartAsync(Start(1), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var status = await StatusAsync();
        Assert.Equal(
            [("BTC", "Buy", "0.12", "50000", "Completed"), ("ETH", "Buy", "1.6", "2500", "Completed")],
            status["trades"]!.AsArray().Select(t => ((string)t!["symbol"]!, (string)t["side"]!, (string)t["quantity"]!, (string)t["price"]!, (string)t["status"]!)).OrderBy(t => t.Item1));
        Assert.All(status["trades"]!.AsArray(), t => Assert.StartsWith("ci-", (string)t!["id"]!, StringComparison.Ordinal));
        Assert.Null(status["rebalanceInProgress"]);

        // The record itself: every number a string (an API server would turn JSON numbers in it into float64).
        var execution = status["execution"]!.AsObject();
        Assert.Equal("Done", (string?)execution["phase"]);
        Assert.Empty(Numbers(execution));
        Assert.Equal("10000", (string?)execution["startHoldings"]!["cash"]);

        // Fees in the asset bought: named per trade; the record is written as before feeAsset existed (no such key).
        Assert.Equal(
            [("BTC", "0.00012", "BTC"), ("ETH", "0.0016", "ETH")],
            status["trades"]!.AsArray().Select(t => ((string)t!["symbol"]!, (string)t["fee"]!, (string)t["feeAsset"]!)).OrderBy(t => t.Item1));
        Assert.DoesNotContain("feeAsset", execution.ToJsonString(), StringComparison.Ordinal);

        var holdings = (await Journal().LoadAsync(uid, CancellationToken.None))!.Holdings().Value;
        Assert.Equal((0m, 0.11988m, 1.5984m), (holdings.Cash, holdings.QuantityOf("BTC"), holdings.QuantityOf("ETH")));
    }

    [Fact]
    public async Task An_order_not_sent_is_Skipped_and_fails_no_rebalance_while_a_refused_one_fails_it()
    {
        var journal = Journal();
        var done = (await Executor(journal).StartAsync(Start(1), CancellationToken.None)).Record!;
        var notSent = done with
        {
            Revision = done.Revision + 1,
            Legs = [.. done.Legs.Select(l => l.Symbol == "ETH" ? l with { State = LegState.Skipped, Fills = [], ExecutedQuantity = 0m, Reason = "not needed after the sells" } : l)],
        };

        await journal.SaveAsync(notSent, CancellationToken.None);

        var status = await StatusAsync();
        var eth = status["trades"]!.AsArray().Single(t => (string?)t!["symbol"] == "ETH")!;
        Assert.Equal(("Skipped", "not sent: not needed after the sells"), ((string?)eth["status"], (string?)eth["message"]));
        Assert.Equal("Completed", (string?)status["rebalances"]![0]!["phase"]);

        var refused = notSent with
        {
            Revision = notSent.Revision + 1,
            Legs = [.. notSent.Legs.Select(l => l.Symbol == "ETH" ? l with { State = LegState.Failed, Reason = "insufficient balance" } : l)],
        };
        await journal.SaveAsync(refused, CancellationToken.None);
        status = await StatusAsync();
        Assert.Equal("Failed", (string?)status["trades"]!.AsArray().Single(t => (string?)t!["symbol"] == "ETH")!["status"]);
        Assert.Equal("Failed", (string?)status["rebalances"]![0]!["phase"]);
    }

    /// <summary>
    /// An account paying commissions in BNB: the fills carry an External fee with its asset. The trade shows the fee
    /// with "BNB" (paired with the asset's own fee when an order ran out of BNB midway), the rebalance's fees leave it
    /// out (the fund did not pay it), and the record reads back to the same fills and the full quantities.
    /// </summary>
    [Fact]
    public async Task A_commission_paid_in_bnb_shows_per_trade_with_its_asset_and_not_in_the_fund_fees()
    {
        var journal = Journal();
        var done = (await Executor(journal).StartAsync(Start(1), CancellationToken.None)).Record!;
        static Fill InBnb(Fill f, decimal fee) => f with { Fee = fee, FeeCurrency = FeeCurrency.External, FeeAsset = "BNB" };
        var legs = done.Legs.Select(l => l.Symbol == "BTC"
            ? l with { Fills = [l.Fills[0] with { Quantity = 0.06m, Fee = 0.00006m }, InBnb(l.Fills[0] with { Quantity = 0.06m }, 0.00375m)] }
            : l with { Fills = [InBnb(l.Fills[0], 0.0125m)] });
        var paidInBnb = done with { Revision = done.Revision + 1, Legs = [.. legs] };

        await journal.SaveAsync(paidInBnb, CancellationToken.None);

        var status = await StatusAsync();
        Assert.Equal(
            [("BTC", "0.00006, 0.00375", "BTC, BNB"), ("ETH", "0.0125", "BNB")],
            status["trades"]!.AsArray().Select(t => ((string)t!["symbol"]!, (string)t["fee"]!, (string)t["feeAsset"]!)).OrderBy(t => t.Item1));
        var rebalance = status["rebalances"]![0]!;
        Assert.Equal(("10000", "3"), ((string?)rebalance["turnover"], (string?)rebalance["fees"])); // 0.00006 BTC at 50,000; no BNB
        var ethFill = status["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "ETH")!["fills"]![0]!;
        Assert.Equal(("External", "BNB", "0.0125"), ((string?)ethFill["feeCurrency"], (string?)ethFill["feeAsset"], (string?)ethFill["fee"]));

        var loaded = (await Journal().LoadAsync(uid, CancellationToken.None))!;
        Assert.Equal(paidInBnb.Legs.SelectMany(l => l.Fills), loaded.Legs.SelectMany(l => l.Fills));
        var holdings = loaded.Holdings().Value;
        Assert.Equal((0m, 0.11994m, 1.6m), (holdings.Cash, holdings.QuantityOf("BTC"), holdings.QuantityOf("ETH")));
    }

    [Fact]
    public async Task A_restarted_operator_resumes_from_status_and_sends_nothing_again()
    {
        await Executor(Journal()).StartAsync(Start(1), CancellationToken.None);
        var writes = cluster.Requests.Count("patch", "indexfunds");
        var loaded = await Journal().LoadAsync(uid, CancellationToken.None);
        Assert.True(loaded is { Phase: RebalancePhase.Done, Sequence: 1 }, $"loaded {loaded?.Phase} {loaded?.Sequence} rev {loaded?.Revision} uid {loaded?.FundUid} vs {uid}");

        var again = await Executor(Journal()).StartAsync(Start(1), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Done, again.Status);
        Assert.Equal(writes, cluster.Requests.Count("patch", "indexfunds"));
        Assert.Equal(2, (await StatusAsync())["trades"]!.AsArray().Count);
    }

    [Fact]
    public async Task Reconciling_is_true_while_a_rebalance_runs_and_gone_when_it_is_done()
    {
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status": {"conditions": [{"type": "Ready", "status": "True", "reason": "WithinThresholds", "message": "ok"}]}}""", V1Patch.PatchType.MergePatch),
            IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "manual-60-30-10");
        var seen = new List<JsonArray>();
        var journal = new ObservedJournal(Journal(), async () => seen.Add((await StatusAsync())["conditions"]!.AsArray()));

        await Executor(journal).StartAsync(Start(1), CancellationToken.None);

        var during = seen[0].Single(c => (string?)c!["type"] == "Reconciling")!;
        Assert.Equal(("True", "RebalanceInProgress", "2026-11-26T12:00:00Z"), ((string?)during["status"], (string?)during["reason"], (string?)during["lastTransitionTime"]));
        Assert.StartsWith("rebalance 1: Selling, 0 of 2 orders completed", (string?)during["message"], StringComparison.Ordinal);
        Assert.Contains(seen[0], c => (string?)c!["type"] == "Ready"); // the other conditions are kept
        Assert.Equal(["Ready"], seen[^1].Select(c => (string)c!["type"]!));
    }

    [Fact]
    public async Task The_evaluated_status_goes_out_with_the_new_record_and_tells_what_it_replaced()
    {
        await PatchStatusAsync("""{"status": {"nav": "1", "conditions": [{"type": "Ready", "status": "False", "reason": "PricesStale", "message": "old"}]}}""");
        var journal = Journal();
        journal.StartStatus = EvaluatedStatus(nav: "10000");

        Assert.Equal(ExecutionStatus.Done, (await Executor(journal).StartAsync(Start(1), CancellationToken.None)).Status);

        var status = await StatusAsync();
        // The evaluated Ready went out with the record; NAV is what the save that finished it wrote: the books its fills left.
        Assert.Equal(("9990", "RebalanceNeeded"), ((string?)status["nav"], (string?)status["conditions"]![0]!["reason"]));
        Assert.Equal((true, "PricesStale"), (journal.StartStatusWritten, journal.ReplacedReadyReason));
    }

    [Fact]
    public async Task A_fund_changed_after_its_evaluation_keeps_the_change_and_no_rebalance_starts()
    {
        // Another write lands between the executor's load and its first save: the evaluation it carries is older
        // than the fund now is, so it must not go out; nothing was sent, and the fund is evaluated again.
        var journal = Journal();
        journal.StartStatus = EvaluatedStatus(nav: "10000");
        var writer = new BeforeFirstSave(journal, () => PatchStatusAsync("""{"status": {"nav": "12345"}}"""));

        await Assert.ThrowsAsync<RebalanceConflictException>(() => Executor(writer).StartAsync(Start(1), CancellationToken.None));

        var status = await StatusAsync();
        Assert.Equal("12345", (string?)status["nav"]);
        Assert.Null(status["execution"]);
        Assert.False(journal.StartStatusWritten);
    }

    [Fact]
    public async Task An_evaluation_from_an_older_version_of_the_fund_starts_nothing()
    {
        // The reconcile evaluated a cached copy; the fund has been written since: no record, no status, evaluate again.
        var evaluatedFrom = (string)(await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
            IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "manual-60-30-10"))["metadata"]!["resourceVersion"]!;
        await PatchStatusAsync("""{"status": {"nav": "12345"}}""");
        var journal = Journal();
        journal.StartStatus = EvaluatedStatus(nav: "10000");
        journal.StartStatusFrom = evaluatedFrom;

        await Assert.ThrowsAsync<RebalanceConflictException>(() => Executor(journal).StartAsync(Start(1), CancellationToken.None));

        var status = await StatusAsync();
        Assert.Equal("12345", (string?)status["nav"]);
        Assert.Null(status["execution"]);
    }

    [Fact]
    public async Task The_evaluated_status_never_goes_into_a_rebalance_another_instance_started()
    {
        // This journal loaded rebalance 1; another instance starts rebalance 2 before this one saves anything for it.
        var late = Journal();
        late.StartStatus = EvaluatedStatus(nav: "1");
        await Executor(Journal()).StartAsync(Start(1), CancellationToken.None);
        var other = await Executor(Journal()).StartAsync(Start(2), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Done, other.Status);

        // A save of rebalance 2 through the late journal (its next revision) carries nothing of its evaluation.
        var stored = await late.LoadAsync(uid, CancellationToken.None);
        await late.SaveAsync(stored! with { Revision = stored.Revision + 1 }, CancellationToken.None);

        Assert.NotEqual("1", (string?)(await StatusAsync())["nav"]);
        Assert.False(late.StartStatusWritten);
    }

    private static JsonObject EvaluatedStatus(string nav) => new()
    {
        ["nav"] = nav,
        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "False", ["reason"] = "RebalanceNeeded", ["message"] = "first funding" }),
    };

    private async Task PatchStatusAsync(string patch) => await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
        new V1Patch(patch, V1Patch.PatchType.MergePatch), IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "manual-60-30-10");

    /// <summary>A journal that runs something (another writer) just before its first save.</summary>
    private sealed class BeforeFirstSave(IRebalanceJournal inner, Func<Task> before) : IRebalanceJournal
    {
        private bool done;

        public Task<CryptoIndex.Exchanges.Execution.RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken) => inner.LoadAsync(fundUid, cancellationToken);

        public void Stage(CryptoIndex.Exchanges.Execution.RebalanceRecord record) => inner.Stage(record);

        public async Task SaveAsync(CryptoIndex.Exchanges.Execution.RebalanceRecord record, CancellationToken cancellationToken)
        {
            if (!done)
            {
                done = true;
                await before();
            }

            await inner.SaveAsync(record, cancellationToken);
        }
    }

    /// <summary>A journal that lets the test look at the status after every save.</summary>
    private sealed class ObservedJournal(IRebalanceJournal inner, Func<Task> afterSave) : IRebalanceJournal
    {
        public Task<CryptoIndex.Exchanges.Execution.RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken) => inner.LoadAsync(fundUid, cancellationToken);

        public void Stage(CryptoIndex.Exchanges.Execution.RebalanceRecord record) => inner.Stage(record);

        public async Task SaveAsync(CryptoIndex.Exchanges.Execution.RebalanceRecord record, CancellationToken cancellationToken)
        {
            await inner.SaveAsync(record, cancellationToken);
            await afterSave();
        }
    }

    [Fact]
    public async Task A_stale_operator_cannot_save_over_a_newer_record()
    {
        var current = Journal();
        var stale = Journal();
        await Executor(current).StartAsync(Start(1), CancellationToken.None);
        var staleRecord = await stale.LoadAsync(uid, CancellationToken.None);

        await Executor(current).StartAsync(Start(2), CancellationToken.None);

        await Assert.ThrowsAsync<RebalanceConflictException>(() => stale.SaveAsync(staleRecord! with { Revision = staleRecord.Revision + 1 }, CancellationToken.None));
    }

    [Fact]
    public async Task Rebalance_history_keeps_the_newest_within_the_history_limit_with_reason_turnover_and_fees()
    {
        for (var sequence = 1; sequence <= 3; sequence++)
        {
            var journal = new StatusRebalanceJournal(client, "default", "manual-60-30-10", historyLimit: 2) { StartReason = "reason " + sequence };
            await journal.LoadAsync(uid, CancellationToken.None);
            Assert.Equal(ExecutionStatus.Done, (await Executor(journal).StartAsync(Start(sequence), CancellationToken.None)).Status);
        }

        var history = (await StatusAsync())["rebalances"]!.AsArray();
        Assert.Equal(
            [("3", "reason 3", "Completed", "10000", "10", "2 of 2 orders completed"), ("2", "reason 2", "Completed", "10000", "10", "2 of 2 orders completed")],
            history.Select(r => ((string)r!["id"]!, (string)r["reason"]!, (string)r["phase"]!, (string)r["turnover"]!, (string)r["fees"]!, (string)r["message"]!)));
        Assert.All(history, r => Assert.NotNull(r!["completedAt"]));
        Assert.Equal(2, (await StatusAsync())["trades"]!.AsArray().Count); // trades share the same bound
    }

    [Fact]
    public async Task A_rebalance_reads_the_fund_once_and_builds_each_save_on_the_object_the_last_one_returned()
    {
        // Every save is conditional on the version the journal last read or wrote, so the object its last save returned
        // is the one to build the next on; reading it again before each save doubled a rebalance's API requests.
        var journal = Journal();
        await journal.LoadAsync(uid, CancellationToken.None);
        cluster.Requests.Clear();

        Assert.Equal(ExecutionStatus.Done, (await Executor(journal).StartAsync(Start(1), CancellationToken.None)).Status);

        // Paper: one save per phase (the plan, the buys, the end), each with every order of the phase.
        Assert.Equal(3, cluster.Requests.Count("patch", "indexfunds/status"));
        Assert.Equal(0, cluster.Requests.Count("get", "indexfunds"));
        Assert.Equal("Done", (string?)(await StatusAsync())["execution"]!["phase"]);
    }

    [Fact]
    public async Task A_write_by_someone_else_between_two_saves_is_read_once_and_kept()
    {
        var journal = Journal();
        await journal.LoadAsync(uid, CancellationToken.None);
        var writer = new BeforeSave(journal, save: 2, () => PatchStatusAsync("""{"status": {"capital": "12345"}}"""));
        cluster.Requests.Clear();

        Assert.Equal(ExecutionStatus.Done, (await Executor(writer).StartAsync(Start(1), CancellationToken.None)).Status);

        // The save after that write met a conflict, read the fund again (once) and went on from there.
        Assert.Equal(1, cluster.Requests.Count("get", "indexfunds"));
        Assert.Equal(1, cluster.Requests.Where("patch", "indexfunds/status").Count(r => r.StatusCode == 409));
        var status = await StatusAsync();
        Assert.Equal(("12345", "Done"), ((string?)status["capital"], (string?)status["execution"]!["phase"]));
    }

    /// <summary>A journal that runs something (another writer) just before its <c>save</c>th save.</summary>
    private sealed class BeforeSave(IRebalanceJournal inner, int save, Func<Task> before) : IRebalanceJournal
    {
        private int saves;

        public Task<CryptoIndex.Exchanges.Execution.RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken) => inner.LoadAsync(fundUid, cancellationToken);

        public void Stage(CryptoIndex.Exchanges.Execution.RebalanceRecord record) => inner.Stage(record);

        public async Task SaveAsync(CryptoIndex.Exchanges.Execution.RebalanceRecord record, CancellationToken cancellationToken)
        {
            if (++saves == save)
            {
                await before();
            }

            await inner.SaveAsync(record, cancellationToken);
        }
    }

    [Fact]
    public async Task Another_status_write_in_between_is_not_a_conflict()
    {
        var journal = Journal();
        Assert.Null(await journal.LoadAsync(uid, CancellationToken.None));
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status": {"capital": "10000"}}""", V1Patch.PatchType.MergePatch), IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "manual-60-30-10");

        var result = await Executor(journal).StartAsync(Start(1), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.Equal("10000", (string?)(await StatusAsync())["capital"]);
    }

    private static IEnumerable<string> Numbers(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Numbers(p.Value)),
        JsonArray a => a.SelectMany(Numbers),
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => [v.GetPath()],
        _ => [],
    };
}
