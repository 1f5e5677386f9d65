using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Paper;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Events;
using CryptoIndex.Operator.Runtime.Status;
using k8s;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// The IndexFund controller's reconciler. Each call does one of two things, never both on one copy of the object:
/// <list type="number">
/// <item>a rebalance is in progress, or the evaluation asks for one: execute (or resume) it through the
/// <see cref="RebalanceExecutor"/>, whose every step is recorded in the fund's status by <see cref="StatusRebalanceJournal"/>
/// before anything is sent; then requeue at once (or at the executor's retry time) so the next call reports;</item>
/// <item>otherwise: evaluate (<see cref="FundEvaluator"/>) and write the status — allocations, drift, conditions,
/// the last rebalance — only if it changed; requeue at the next price refresh.</item>
/// </list>
/// Invalid specs, stale prices and failures are reported as conditions and Events. This version executes on the
/// paper exchange; a spec naming another exchange is reported, not traded.
/// </summary>
public sealed partial class FundReconciler(
    IKubernetes client,
    MarketDataHub prices,
    EventRecorder events,
    FundMetrics metrics,
    ExchangeMetrics exchangeMetrics,
    TimeProvider time,
    ILoggerFactory loggers) : IReconciler
{
    public const string FieldManager = "cryptoindex-operator";
    public static readonly ResourceType Funds = new(IndexFund.Group, IndexFund.Version, IndexFund.Plural);

    private readonly StatusWriter statusWriter = new(client, Funds, FieldManager);
    private readonly ILogger logger = loggers.CreateLogger<FundReconciler>();

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Current is not { } current)
        {
            // Deleted: nothing to clean up but its metrics (no finalizer is needed; its status went with it).
            metrics.Forget(request.Key.Namespace ?? string.Empty, request.Key.Name);
            return ReconcileResult.Done;
        }

        var fund = JsonSerializer.Deserialize<IndexFund>(current.Json.GetRawText(), ApiJson.Options)!;
        var ns = fund.Metadata.NamespaceProperty ?? "default";
        var name = fund.Metadata.Name!;
        var journal = new StatusRebalanceJournal(client, ns, name, fund.Spec.HistoryLimit);
        var record = await journal.LoadAsync(current.Uid, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();

        var (definition, _) = SpecValidator.Validate(fund.Spec);
        if (definition is null)
        {
            var invalid = FundEvaluator.Evaluate(fund, MarketSnapshot.Empty, Holdings.CashOnly(0m), RebalanceHistory.None, now);
            await WriteAsync(current, invalid.Status, cancellationToken).ConfigureAwait(false);
            await events.WarningAsync(current, FundConditions.InvalidSpecReason, invalid.Message, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done; // a spec change (new generation) triggers the next reconcile
        }

        if (record is { Phase: not RebalancePhase.Done })
        {
            return await ExecuteAsync(current, fund, definition, journal, null, cancellationToken).ConfigureAwait(false);
        }

        var service = prices.For(definition.Prices.Provider, out var unavailable);
        if (service is null)
        {
            return await NotReadyAsync(current, fund, "ProviderUnavailable", unavailable!, now, cancellationToken).ConfigureAwait(false);
        }

        var assets = definition.Constituents.Select(c => new AssetRef(c.Symbol, c.CoinGeckoId, c.BinancePair)).ToList();
        var snapshot = await service.GetSnapshotAsync(assets, definition.Prices.RefreshInterval, cancellationToken).ConfigureAwait(false);
        var holdings = record?.Holdings() is { IsSuccess: true } ledger ? ledger.Value : FundEvaluator.HoldingsFrom(fund.Status, definition.Capital);
        var history = new RebalanceHistory(record?.FinishedAt, record?.Inputs.Targets.Where(t => t.Value > 0m).Select(t => t.Key).ToList());
        var evaluation = FundEvaluator.Evaluate(fund, snapshot, holdings, history, now);
        evaluation.Status.LastHandledReconcileAt = current.Annotation("reconcile.cryptoindex.io/requestedAt") ?? evaluation.Status.LastHandledReconcileAt;
        if (record is not null)
        {
            evaluation.Status.LastRebalanceTime = record.FinishedAt is { } finished ? StatusText.Time(finished) : null;
            evaluation.Status.RebalanceSequence = record.Sequence;
            evaluation.Status.LastRebalanceReason = fund.Status?.Rebalances?.FirstOrDefault(r => r.Sequence == record.Sequence)?.Reason;
        }

        if (evaluation.Decision is { ShouldRebalance: true } decision && !definition.DryRun)
        {
            if (definition.Exchange.Kind != ExchangeKind.Paper)
            {
                return await NotReadyAsync(current, fund, "ExchangeUnavailable", "only the paper exchange is wired in this version; no order was sent", now, cancellationToken).ConfigureAwait(false);
            }

            await events.NormalAsync(current, "RebalanceStarted", decision.Summary, cancellationToken).ConfigureAwait(false);
            var start = new RebalanceStart(
                current.Uid,
                (record?.Sequence ?? 0) + 1,
                holdings,
                evaluation.Targets!,
                evaluation.Valuation!.Positions.ToDictionary(p => p.Symbol, p => p.Price, StringComparer.Ordinal),
                definition.Planning);
            journal.StartReason = decision.Summary; // the same journal: its first save is conditional on what it loaded
            return await ExecuteAsync(current, fund, definition, journal, start, cancellationToken).ConfigureAwait(false);
        }

        var dryRun = evaluation.Decision is { ShouldRebalance: true } && definition.DryRun;
        if (dryRun)
        {
            await DescribeDryRunAsync(current, fund, definition, holdings, evaluation, evaluation.Decision!.Summary, now, cancellationToken).ConfigureAwait(false);
        }

        if (evaluation.Valuation is { } valuation)
        {
            metrics.Observe(ns, name, valuation, evaluation.Status.Conditions?.FirstOrDefault()?.Status == "True");
        }

        // Recovery is told once, by the reconcile that writes the fresh condition (a rebalance writes it one reconcile later).
        var wasStale = fund.Status?.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Ready)?.Reason == FundEvaluator.PricesStale;
        if (evaluation.Reason == FundEvaluator.PricesStale)
        {
            await events.WarningAsync(current, FundEvaluator.PricesStale, evaluation.Message, cancellationToken).ConfigureAwait(false);
        }
        else if (wasStale && evaluation.Valuation is not null)
        {
            await events.NormalAsync(current, "PricesRecovered", "prices are fresh again: " + evaluation.Message, cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync(current, evaluation.Status, cancellationToken, ownHistory: dryRun).ConfigureAwait(false);
        return ReconcileResult.RequeueAfter(definition.Prices.RefreshInterval);
    }

    private async Task<ReconcileResult> ExecuteAsync(
        Runtime.KubeObject current, IndexFund fund, FundDefinition definition, StatusRebalanceJournal journal, RebalanceStart? start, CancellationToken cancellationToken)
    {
        var recorded = start is null ? await journal.LoadAsync(current.Uid, cancellationToken).ConfigureAwait(false) : null;
        var referencePrices = start?.Prices ?? recorded!.Inputs.Prices;
        var startHoldings = start?.Holdings ?? recorded!.StartHoldings;
        var paper = new PaperExchange(
            symbol => referencePrices[symbol],
            _ => Task.FromResult(journal.CurrentHoldings(startHoldings)), // the ledger as recorded: after the sells, their proceeds
            new PaperOptions(FeeRate: definition.Exchange.FeeRate, QuoteAsset: fund.Spec.QuoteCurrency),
            time);

        // Paper fills at the reference price, so its buys need no headroom for a worse fill.
        var executor = new RebalanceExecutor(paper, journal, exchangeMetrics, time, loggers.CreateLogger<RebalanceExecutor>(), new ExecutorOptions(BuyHeadroom: 0m));
        ExecutionResult result;
        try
        {
            result = start is null
                ? await executor.ResumeAsync(current.Uid, cancellationToken).ConfigureAwait(false)
                : await executor.StartAsync(start, cancellationToken).ConfigureAwait(false);
        }
        catch (RebalanceConflictException)
        {
            // Another instance moved the record on (a leader hand-over): read again, never send from a stale copy.
            return ReconcileResult.RequeueRateLimited;
        }

        switch (result.Status)
        {
            case ExecutionStatus.Done:
                var record = result.Record!;
                var completed = record.Legs.Count(l => l.State == LegState.Completed);
                await events.NormalAsync(current, "RebalanceCompleted",
                    string.Create(CultureInfo.InvariantCulture, $"rebalance {record.Sequence}: {completed} of {record.Legs.Count} orders completed"), cancellationToken).ConfigureAwait(false);
                LogCompleted(fund.Metadata.Name!, record.Sequence, completed);
                metrics.Completed(fund.Metadata.NamespaceProperty ?? "default", fund.Metadata.Name!, record);
                return ReconcileResult.RequeueRateLimited; // report soon (RequeueAfter(0) would mean done)
            case ExecutionStatus.Waiting:
                return ReconcileResult.RequeueAfter(result.RetryAt is { } at ? at - time.GetUtcNow() : TimeSpan.FromSeconds(5));
            default:
                await events.WarningAsync(current, "RebalanceFailed", result.Reason ?? "the rebalance could not start", cancellationToken).ConfigureAwait(false);
                return result.RetryAt is { } retry
                    ? ReconcileResult.RequeueAfter(retry - time.GetUtcNow())
                    : await NotReadyAsync(current, fund, "RebalanceFailed", result.Reason ?? "the rebalance could not start", time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ReconcileResult> NotReadyAsync(
        Runtime.KubeObject current, IndexFund fund, string reason, string message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = JsonSerializer.Deserialize<IndexFundStatus>(JsonSerializer.Serialize(fund.Status ?? new IndexFundStatus(), ApiJson.Options), ApiJson.Options)!;
        status.ObservedGeneration = fund.Metadata.Generation;
        status.Conditions =
        [
            FundConditions.Set(fund.Status?.Conditions, FundConditions.Ready, "False", reason, message, fund.Metadata.Generation ?? 0, now),
            FundConditions.Set(fund.Status?.Conditions, FundConditions.Stalled, "True", reason, message, fund.Metadata.Generation ?? 0, now),
        ];
        await WriteAsync(current, status, cancellationToken).ConfigureAwait(false);
        await events.WarningAsync(current, reason, message, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    /// <summary>A dry run plans and reports (status.rebalances entry, Ready reason DryRun, one Event per new plan); never sends.</summary>
    private async Task DescribeDryRunAsync(
        Runtime.KubeObject current, IndexFund fund, FundDefinition definition, Holdings holdings, FundEvaluation evaluation, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var history = fund.Status?.Rebalances ?? [];
        var previous = history.FirstOrDefault(r => r.Id == DryRunPlan.Id);
        var plan = DryRunPlan.Describe(holdings, evaluation, definition.Planning, reason, previous, now);
        evaluation.Status.Rebalances = [plan, .. history.Where(r => r.Id != DryRunPlan.Id).Take(Math.Max(0, fund.Spec.HistoryLimit - 1))];
        evaluation.Status.Conditions =
        [
            FundConditions.Set(fund.Status?.Conditions, FundConditions.Ready, "True", DryRunPlan.Phase, "dry run: " + reason + "; " + plan.Message, fund.Metadata.Generation ?? 0, now),
        ];
        if (!ReferenceEquals(plan, previous))
        {
            await events.NormalAsync(current, "RebalancePlanned", "dry run: " + plan.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the status (a no-op when unchanged); the executor's own fields are left as the journal wrote them.</summary>
    private async Task WriteAsync(Runtime.KubeObject current, IndexFundStatus status, CancellationToken cancellationToken, bool ownHistory = false)
    {
        var desired = JsonSerializer.SerializeToNode(status, ApiJson.Options)!.AsObject();
        if (current.Status.ValueKind == JsonValueKind.Object)
        {
            foreach (var journalField in new[] { "execution", "trades", "rebalances", "rebalanceInProgress" })
            {
                if (journalField == "rebalances" && ownHistory)
                {
                    continue; // a dry run's plan, set by this reconcile
                }

                desired.Remove(journalField);
                if (current.Status.TryGetProperty(journalField, out var kept))
                {
                    desired[journalField] = JsonNode.Parse(kept.GetRawText());
                }
            }
        }

        await statusWriter.WriteAsync(current, desired, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fund {Fund}: rebalance {Sequence} done, {Completed} orders completed")]
    private partial void LogCompleted(string fund, long sequence, int completed);
}
