using System.Text.Json.Nodes;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Paper;
using CryptoIndex.Operator.Api;
using RebalanceRecord = CryptoIndex.Exchanges.Execution.RebalanceRecord;
using CryptoIndex.Operator.Crd;
using CryptoIndex.Operator.Funds;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// A paper rebalance stores a phase's orders with the save that ends it: a conflict, a hand-over or a spec edit at that
/// save must neither lose nor double a fill, and the ledger must be the one an uninterrupted run leaves.
/// </summary>
public sealed class PaperPhaseSaveTests : IAsyncLifetime
{
    private const string Fund = "manual-60-30-10";
    private static readonly Dictionary<string, decimal> Prices = new(StringComparer.Ordinal) { ["BTC"] = 50_000m, ["ETH"] = 2_500m };
    private static readonly Dictionary<string, decimal> Targets = new(StringComparer.Ordinal) { ["BTC"] = 0.6m, ["ETH"] = 0.4m };
    private static readonly Holdings Initial = Holdings.Of(100m, ("BTC", 0.2m));
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

    private RebalanceStart Start() => new(uid, 1, Initial, Targets, Prices, new PlanOptions(FeeRate: 0.001m));

    /// <summary>As the reconciler wires it: the paper balances read the journal's ledger, staged fills included.</summary>
    private RebalanceExecutor Executor(IRebalanceJournal journal, Func<Holdings> ledger) => new(
        new PaperExchange(s => Prices[s], _ => Task.FromResult(ledger()), new PaperOptions(FeeRate: 0.001m), clock),
        journal, new ExchangeMetrics(Prometheus.Metrics.NewCustomRegistry()), clock, NullLogger<RebalanceExecutor>.Instance, new ExecutorOptions(BuyHeadroom: 0m));

    private RebalanceExecutor Executor(StatusRebalanceJournal journal) => Executor(journal, () => journal.CurrentHoldings(Initial));

    private StatusRebalanceJournal Journal(long? generation = null) => new(client, "default", Fund, historyLimit: 50) { DecidedFromGeneration = generation };

    private async Task<Holdings> ReferenceAsync()
    {
        var memory = new InMemoryRebalanceJournal();
        var result = await Executor(memory, () => memory.Current(uid)?.Holdings().Value ?? Initial).StartAsync(Start(), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.Contains(result.Record!.Legs, l => l.Side == OrderSide.Sell && l.State == LegState.Completed);
        Assert.Contains(result.Record.Legs, l => l.Side == OrderSide.Buy && l.State == LegState.Completed);
        return result.Record.Holdings().Value;
    }

    private async Task<JsonObject> FundAsync() =>
        await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund);

    private async Task<RebalanceRecord> StoredAsync() => (await Journal().LoadAsync(uid, CancellationToken.None))!;

    private static void SameBooks(Holdings expected, Holdings actual)
    {
        Assert.Equal(expected.Cash, actual.Cash);
        Assert.Equal(expected.Quantities.OrderBy(q => q.Key), actual.Quantities.OrderBy(q => q.Key));
    }

    [Theory]
    [InlineData(2)] // the save that ends the sells
    [InlineData(3)] // the save that ends the buys
    public async Task A_status_write_by_another_before_a_phase_end_save_keeps_every_staged_fill_once(int save)
    {
        var expected = await ReferenceAsync();
        var journal = Journal();
        cluster.Requests.Clear();
        var writer = new BeforeSave(journal, save, () => client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status": {"capital": "12345"}}""", V1Patch.PatchType.MergePatch), IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund));

        var result = await Executor(writer, () => journal.CurrentHoldings(Initial)).StartAsync(Start(), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var stored = await StoredAsync();
        SameBooks(expected, stored.Holdings().Value);
        Assert.All(stored.Legs, l => Assert.Equal((LegState.Completed, 1), (l.State, l.Attempts)));
        var status = (await FundAsync())["status"]!;
        Assert.Equal("12345", (string?)status["capital"]); // a field the journal does not write (it writes nav with the books at the end)
        Assert.Equal(1, cluster.Requests.Where("patch", "indexfunds/status").Count(r => r.StatusCode == 409));
        Assert.Equal(stored.Legs.Count, status["trades"]!.AsArray().Count(t => (string?)t!["status"] == "Completed"));
    }

    [Fact]
    public async Task An_operator_that_lost_the_fund_mid_phase_stores_nothing_and_the_new_one_fills_each_order_once()
    {
        var expected = await ReferenceAsync();
        var old = Journal();
        var handedOver = new BeforeSave(old, save: 2, async () =>
        {
            // The new leader runs the whole rebalance while the old one has its sells staged, not stored.
            var next = Journal();
            Assert.Equal(ExecutionStatus.Done, (await Executor(next).ResumeAsync(uid, CancellationToken.None)).Status);
        });

        await Assert.ThrowsAsync<RebalanceConflictException>(() => Executor(handedOver, () => old.CurrentHoldings(Initial)).StartAsync(Start(), CancellationToken.None));

        var stored = await StoredAsync();
        Assert.Equal(RebalancePhase.Done, stored.Phase);
        SameBooks(expected, stored.Holdings().Value);
        Assert.All(stored.Legs, l => Assert.Equal((LegState.Completed, 1), (l.State, l.Attempts)));
    }

    [Fact]
    public async Task A_spec_edit_before_a_phase_end_save_stores_none_of_the_phase_and_a_resume_fills_it_as_before()
    {
        var expected = await ReferenceAsync();
        var generation = (long)(await FundAsync())["metadata"]!["generation"]!;
        var journal = Journal(generation);
        var edited = new BeforeSave(journal, save: 2, () => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec": {"displayName": "edited"}}""", V1Patch.PatchType.MergePatch), IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund));

        await Assert.ThrowsAsync<RebalanceConflictException>(() => Executor(edited, () => journal.CurrentHoldings(Initial)).StartAsync(Start(), CancellationToken.None));

        var held = await StoredAsync();
        Assert.Equal(RebalancePhase.Selling, held.Phase);
        Assert.All(held.Legs, l => Assert.Equal((LegState.Pending, 0), (l.State, l.Attempts)));
        SameBooks(Initial, held.Holdings().Value);

        var resumed = Journal(generation + 1);
        Assert.Equal(ExecutionStatus.Done, (await Executor(resumed).ResumeAsync(uid, CancellationToken.None)).Status);
        var stored = await StoredAsync();
        SameBooks(expected, stored.Holdings().Value);
        Assert.All(stored.Legs, l => Assert.Equal((LegState.Completed, 1), (l.State, l.Attempts)));
    }

    [Fact]
    public async Task Each_paper_buy_is_checked_against_the_cash_the_buys_staged_before_it_left()
    {
        // 3% slippage and no headroom: the two buys, sized on reference prices, fill dearer than planned and the cash runs
        // out before the second. The journal's ledger must include the first buy, staged but not stored, to refuse it.
        var journal = Journal();
        var executor = new RebalanceExecutor(
            new PaperExchange(s => Prices[s], _ => Task.FromResult(journal.CurrentHoldings(Holdings.CashOnly(10_000m))), new PaperOptions(FeeRate: 0.001m, SlippageBps: 300m), clock),
            journal, new ExchangeMetrics(Prometheus.Metrics.NewCustomRegistry()), clock, NullLogger<RebalanceExecutor>.Instance, new ExecutorOptions(BuyHeadroom: 0m));

        var result = await executor.StartAsync(Start() with { Holdings = Holdings.CashOnly(10_000m) }, CancellationToken.None);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var stored = await StoredAsync();
        Assert.Equal([LegState.Completed, LegState.Failed], stored.Legs.OrderBy(l => l.Leg).Select(l => l.State));
        Assert.True(stored.Holdings().IsSuccess, stored.Holdings().ToString());
        Assert.True(stored.Holdings().Value.Cash >= 0m);
    }

    /// <summary>The plan stored, then its first sell stored as Sent with one attempt: what the previous version left when it stopped after that save.</summary>
    private async Task<RebalanceRecord> LeftSentByThePreviousVersionAsync()
    {
        var stop = Journal();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Executor(new BeforeSave(stop, save: 2, () => throw new InvalidOperationException("stopped")), () => stop.CurrentHoldings(Initial))
            .StartAsync(Start(), CancellationToken.None));
        var plan = await StoredAsync();
        var sell = plan.Legs.First(l => l.Side == OrderSide.Sell);
        var journal = Journal();
        await journal.LoadAsync(uid, CancellationToken.None);
        var sent = plan.WithLeg(sell with { State = LegState.Sent, Attempts = 1, SentAt = clock.GetUtcNow() }) with { Revision = plan.Revision + 1 };
        await journal.SaveAsync(sent, CancellationToken.None);
        return sent;
    }

    [Fact]
    public async Task A_paper_leg_the_previous_version_left_Sent_is_sent_again_once()
    {
        var expected = await ReferenceAsync();
        var sent = await LeftSentByThePreviousVersionAsync();

        Assert.Equal(ExecutionStatus.Done, (await Executor(Journal()).ResumeAsync(uid, CancellationToken.None)).Status);

        var stored = await StoredAsync();
        SameBooks(expected, stored.Holdings().Value);
        var resent = stored.Legs.Single(l => l.Leg == sent.Legs.Single(s => s.State == LegState.Sent).Leg);
        Assert.Equal((LegState.Completed, 2, 1), (resent.State, resent.Attempts, resent.Fills.Count));
    }

    [Fact]
    public async Task A_paper_leg_the_previous_version_left_Sent_is_not_sent_while_paused_nor_any_other()
    {
        var sent = await LeftSentByThePreviousVersionAsync();
        var journal = Journal();
        journal.Pause = RebalancePause.Suspend;

        await Assert.ThrowsAsync<OrdersHeldException>(() => Executor(journal).ResumeAsync(uid, CancellationToken.None));

        var stored = await StoredAsync();
        Assert.Equal(RebalancePhase.Selling, stored.Phase);
        Assert.All(stored.Legs, l => Assert.Equal(LegState.Pending, l.State));
        Assert.All(stored.Legs, l => Assert.Empty(l.Fills));
        SameBooks(Initial, stored.Holdings().Value);
        Assert.Equal(sent.Legs.Select(l => l.Attempts), stored.Legs.Select(l => l.Attempts));
    }

    [Fact]
    public async Task A_pause_decided_from_an_older_generation_does_not_claim_the_spec_edited_since()
    {
        // The reconcile decided the pause from generation 1 (its cached copy); the spec is edited before the journal
        // reads the fund. Reporting the pause must not mark generation 2 observed: Flux, Argo CD and kubectl wait would
        // read generation 2 as evaluated (paused, hence current) before the operator looked at it.
        await LeftSentByThePreviousVersionAsync();
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec": {"displayName": "edited"}}""", V1Patch.PatchType.MergePatch), IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund);
        var journal = Journal(generation: 1);
        journal.Pause = RebalancePause.Suspend;
        await journal.LoadAsync(uid, CancellationToken.None);

        await journal.ReportPausedAsync(null, CancellationToken.None);

        var fund = await FundAsync();
        Assert.Equal(2L, (long?)fund["metadata"]!["generation"]);
        Assert.NotEqual(2L, (long?)fund["status"]!["observedGeneration"]);
        var conditions = fund["status"]!["conditions"]!.AsArray();
        Assert.Contains(conditions, c => (string?)c!["type"] == "Reconciling" && (string?)c["reason"] == "Suspended");
        Assert.All(conditions, c => Assert.Equal(1L, (long?)c!["observedGeneration"]));
    }

    /// <summary>A journal that runs something (another writer) just before its <c>save</c>th save.</summary>
    private sealed class BeforeSave(IRebalanceJournal inner, int save, Func<Task> before) : IRebalanceJournal
    {
        private int saves;

        public Task<RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken) => inner.LoadAsync(fundUid, cancellationToken);

        public void Stage(RebalanceRecord record) => inner.Stage(record);

        public async Task SaveAsync(RebalanceRecord record, CancellationToken cancellationToken)
        {
            if (++saves == save)
            {
                await before();
            }

            await inner.SaveAsync(record, cancellationToken);
        }
    }
}
