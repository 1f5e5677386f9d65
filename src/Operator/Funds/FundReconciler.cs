using System.Collections.Concurrent;
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
using CryptoIndex.Operator.ExchangeAccounts;
using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Events;
using CryptoIndex.Operator.Runtime.Status;
using k8s;
using k8s.Autorest;
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
/// Invalid specs, stale prices and failures are reported as conditions and Events. Orders go to the exchange the
/// rebalance was recorded with: paper, or Binance with the credentials of the Secret the fund names.
/// </summary>
public sealed partial class FundReconciler(
    IKubernetes client,
    MarketDataHub prices,
    EventRecorder events,
    FundMetrics metrics,
    ExchangeMetrics exchangeMetrics,
    BinanceAccounts binance,
    TimeProvider time,
    ILoggerFactory loggers) : IReconciler
{
    public const string FieldManager = "cryptoindex-operator";

    /// <summary>Reason of Ready=False and Stalled=True when the fund's exchange Secret cannot be read.</summary>
    public const string CredentialsUnavailable = "CredentialsUnavailable";

    /// <summary>
    /// Reason of Ready=False and Stalled=True when spec.exchange changed while a rebalance was open, points a fund whose
    /// positions were bought with play money at real money, or its credentials reach another account than its books'.
    /// </summary>
    public const string ExchangeChanged = "ExchangeChanged";

    /// <summary>Reason of Ready=False and Stalled=True when the fund's exchange is switched off here (the sandbox: paper only).</summary>
    public const string ExchangeDisabled = "ExchangeDisabled";

    /// <summary>Reason of Ready=False and Stalled=True when the exchange refuses the fund's API key.</summary>
    public const string CredentialsRefused = "CredentialsRefused";

    /// <summary>Reason of Ready=True when the drift calls for a rebalance but every order is below the minimums.</summary>
    public const string NothingToTrade = "NothingToTrade";

    /// <summary>Set to any new value to ask for a reconcile now (Flux's requestedAt convention); echoed in status.lastHandledReconcileAt.</summary>
    public const string RequestedAtAnnotation = "reconcile.cryptoindex.io/requestedAt";

    /// <summary>Reason of Ready=False and Stalled=True when a finished rebalance's fills do not fit the fund's holdings.</summary>
    public const string LedgerMismatch = "LedgerMismatch";

    /// <summary>Reason of Ready=False when the exchange could not be asked for its rules; retried by itself.</summary>
    public const string ExchangeUnavailable = "ExchangeUnavailable";

    /// <summary>
    /// Binance buys are sized to fit the cash even if they fill 1 % above the reference price (market buys fill at
    /// the ask, and the price moves between the snapshot and the order); what is left stays in cash until the next
    /// rebalance.
    /// </summary>
    public const decimal BinanceBuyHeadroom = 0.01m;

    /// <summary>A fund's USD is held as USDT on Binance (its pairs are BTCUSDT, ETHUSDT, …).</summary>
    public const string BinanceQuoteAsset = BinancePairs.QuoteAsset;

    private const string OrderStillOpen = "order still open";

    /// <summary>
    /// How often a fund with an invalid spec is valued again: its own refresh interval when that still reads as one (a
    /// shorter one would refresh the shared price cache for every fund more often than they asked), else a minute.
    /// </summary>
    private static TimeSpan InvalidSpecRevaluation(IndexFund fund) =>
        Values.TryParseDuration(fund.Spec.Prices.RefreshInterval, out var interval) && interval >= SpecValidator.MinRefreshInterval
            ? interval
            : TimeSpan.FromSeconds(60);

    /// <summary>
    /// A requeue after a delay no shorter than this (a delay of zero or less would end the rebalance's reconciles); a
    /// retry time already reached is a rate-limited requeue instead (see <see cref="RetryAt"/>).
    /// </summary>
    private static readonly TimeSpan MinimumRetryDelay = TimeSpan.FromMilliseconds(100);
    public static readonly ResourceType Funds = new(IndexFund.Group, IndexFund.Version, IndexFund.Plural);

    private readonly StatusWriter statusWriter = new(client, Funds, FieldManager);
    private readonly ILogger logger = loggers.CreateLogger<FundReconciler>();
    private readonly DryRunRules dryRunRules = new(binance, time, loggers.CreateLogger<DryRunRules>());
    private readonly RebalanceFinalizer finalizer = new(client);

    public const string CapitalNotAppliedReason = "CapitalNotApplied";

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var result = await ReconcileFundAsync(request, cancellationToken).ConfigureAwait(false);
            notFoundMeanwhile.TryRemove(request.Key, out _);
            return result;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            if (request.Current is null)
            {
                // Deleted while this reconcile ran, and the cache has seen it: the delete's own reconcile forgets it.
                notFoundMeanwhile.TryRemove(request.Key, out _);
                return ReconcileResult.Done;
            }

            if (!notFoundMeanwhile.TryAdd(request.Key, 0))
            {
                // A second 404 in a row for a fund that still exists is an error (a CRD without its status
                // subresource answers every status write so): counted and alerted on, retried with backoff.
                throw;
            }

            // Deleted while this reconcile ran (its status went with it), most likely: not an error. Looked at again
            // in a second — time for the watch to bring the delete — in case the 404 was not a delete.
            LogDeletedMeanwhile(request.Key);
            return ReconcileResult.RequeueAfter(NotFoundRecheck);
        }
    }

    /// <summary>Set by the first reconcile that asks for prices (see <see cref="TrackEveryFundOnce"/>), under <see cref="trackGate"/>.</summary>
    private bool trackedEveryFund;
    private readonly Lock trackGate = new();

    /// <summary>
    /// Once, before the first price refresh: every fund in the cache has its assets fetched by that refresh. Without it,
    /// a refresh covered only the funds that had asked so far, and each fund with assets no earlier one had started
    /// another: at a start with many funds, several CoinGecko requests in a row instead of one.
    /// </summary>
    private void TrackEveryFundOnce(Runtime.Cache.ObjectCache cache)
    {
        // The reconciles running beside the first wait here until it is done: one that went on would start a refresh
        // covering only its own fund.
        lock (trackGate)
        {
            if (trackedEveryFund)
            {
                return;
            }

            trackedEveryFund = true;
            foreach (var other in cache.List())
            {
                var fund = other.Json.Deserialize<IndexFund>(ApiJson.Options);
                if (fund is null || SpecValidator.Validate(fund.Spec).Definition is not { } definition
                    || prices.For(definition.Prices.Provider, out _) is not { } service)
                {
                    continue; // an invalid spec or an unavailable provider asks for nothing (its own reconcile reports it)
                }

                service.Track(FundEvaluator.AssetsToPrice(definition, FundEvaluator.HoldingsFrom(fund.Status, definition.Capital), fund.Status));
            }
        }
    }

    /// <summary>How long after a 404 for a fund the cache still has it is looked at again.</summary>
    private static readonly TimeSpan NotFoundRecheck = TimeSpan.FromSeconds(1);

    /// <summary>Funds whose last reconcile met a 404 while the cache still had them.</summary>
    private readonly ConcurrentDictionary<ObjectKey, byte> notFoundMeanwhile = new();

    private async Task<ReconcileResult> ReconcileFundAsync(ReconcileRequest request, CancellationToken cancellationToken)
    {
        if (request.Current is not { } current)
        {
            // Deleted: nothing to clean up but its metrics (a rebalance on a real exchange held it until its orders
            // were resolved: see RebalanceFinalizer).
            metrics.Forget(request.Key.Namespace ?? string.Empty, request.Key.Name);
            return ReconcileResult.Done;
        }

        // Read from the cached element itself: written out as text and parsed again, the fund (some 20 KB with its
        // rebalance record) cost a string and a parse each time.
        var fund = current.Json.Deserialize<IndexFund>(ApiJson.Options)!;
        var ns = fund.Metadata.NamespaceProperty ?? "default";
        var name = fund.Metadata.Name!;
        // Orders are sent only while the fund is still the version decided from (a pause applied meanwhile holds them).
        var journal = new StatusRebalanceJournal(client, ns, name, fund.Spec.HistoryLimit, time) { DecidedFromGeneration = fund.Metadata.Generation };
        journal.StartFrom(JsonObject.Create(current.Json)!);
        var record = await journal.LoadAsync(current.Uid, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        if (record?.FinishedAt is { } lastFinished)
        {
            metrics.SetLastRebalance(ns, name, lastFinished);
        }

        metrics.SetRebalance(ns, name, record);

        if (current.IsDeleting && !RebalanceFinalizer.AwaitsOrders(record))
        {
            // Nothing sent awaits an answer: the fund lets go whatever its spec says.
            return await LetGoAsync(current, record, journal, cancellationToken).ConfigureAwait(false);
        }

        var (definition, _) = SpecValidator.Validate(fund.Spec);
        if (definition is null)
        {
            var invalid = FundEvaluator.Evaluate(fund, MarketSnapshot.Empty, Holdings.CashOnly(0m), RebalanceHistory.None, now);
            Handled(current, invalid.Status);
            metrics.SetTrading(ns, name, trading: false); // nothing trades until the spec is valid
            if (current.IsDeleting)
            {
                // Orders sent await an answer (else the fund went above): looked up on the account the rebalance recorded.
                return await DeletingAsync(current, fund, null, journal, record, cancellationToken).ConfigureAwait(false);
            }

            if (record is { Phase: not RebalancePhase.Done })
            {
                // A rebalance in progress is paused, not dropped: nothing more is sent, but orders already sent are
                // looked up (their fills must reach the books), and Ready, Stalled and Reconciling say so.
                journal.Pause = RebalancePause.InvalidSpec(invalid.Message);
                var (held, _) = await ExecuteAsync(current, fund, null, InvalidSpecRevaluation(fund), journal, null, cancellationToken).ConfigureAwait(false);
                if (fund.Status?.ObservedGeneration != fund.Metadata.Generation
                    || (ReadyReason(fund) != FundConditions.InvalidSpecReason && ReconcilingReason(fund) != FundConditions.InvalidSpecReason))
                {
                    await events.WarningAsync(current, FundConditions.InvalidSpecReason, invalid.Message, cancellationToken).ConfigureAwait(false);
                }

                return held;
            }
            var revalued = await RevalueAsync(fund, record, invalid.Status, cancellationToken).ConfigureAwait(false);
            if (revalued is not null)
            {
                metrics.Observe(ns, name, revalued, ready: false);
            }

            await WriteAsync(current, invalid.Status, cancellationToken).ConfigureAwait(false);
            if (fund.Status?.ObservedGeneration != fund.Metadata.Generation || ReadyReason(fund) != FundConditions.InvalidSpecReason)
            {
                await events.WarningAsync(current, FundConditions.InvalidSpecReason, invalid.Message, cancellationToken).ConfigureAwait(false);
            }

            // Still valued at every refresh (the spec's own interval is unknown while it is invalid); no Event again
            // for the same generation: the requeue is quiet unless the books moved (see WriteAsync).
            return revalued is null ? ReconcileResult.Done : ReconcileResult.RequeueAfter(InvalidSpecRevaluation(fund));
        }

        metrics.SetTrading(ns, name, !definition.DryRun && !definition.Suspend, definition.Suspend);
        metrics.SetRules(ns, name, definition.Policy);
        if (current.IsDeleting)
        {
            return await DeletingAsync(current, fund, definition, journal, record, cancellationToken).ConfigureAwait(false);
        }

        // Whether this fund holds the finalizer that keeps its rebalance's record until its orders are resolved.
        var guarded = current.Finalizers.Contains(RebalanceFinalizer.Name);
        if (record is { Phase: not RebalancePhase.Done })
        {
            if (RebalanceFinalizer.Guards(record) && !guarded && await finalizer.AddAsync(current, cancellationToken).ConfigureAwait(false) is null)
            {
                // A rebalance started before the finalizer existed (an upgrade): it holds no order back. The fund
                // changed meanwhile: read again.
                return ReconcileResult.RequeueRateLimited;
            }

            if (BooksVenue.Of(fund, record) is { } startedOn && startedOn != ExchangeIdentity.Of(definition.Exchange))
            {
                return await ExchangeChangedAsync(current, fund, definition, journal, record, startedOn, cancellationToken).ConfigureAwait(false);
            }

            // suspend and dryRun pause a rebalance in progress: no order is sent, but orders already sent are looked up
            // so their fills reach the books; clearing the setting continues it where it stopped.
            journal.Pause = RebalancePause.Of(definition);
            return (await ExecuteAsync(current, fund, definition.Exchange, definition.Prices.RefreshInterval, journal, null, cancellationToken).ConfigureAwait(false)).Result;
        }

        var service = prices.For(definition.Prices.Provider, out var unavailable);
        if (service is null)
        {
            return await NotReadyAsync(current, fund, "ProviderUnavailable", unavailable!, now, cancellationToken).ConfigureAwait(false);
        }

        var ledger = record?.Holdings();
        if (ledger is { IsSuccess: false })
        {
            // The recorded fills do not fit the holdings they started from (e.g. a buy filled beyond the cash): valuing
            // the fund from the status before that rebalance instead would quietly undo its trades in the books.
            return await NotReadyAsync(current, fund, LedgerMismatch, string.Create(CultureInfo.InvariantCulture,
                $"the fills of rebalance {record!.Sequence} do not fit the fund's holdings ({ledger.Error.Message}): status.execution and the account disagree; nothing trades until a person reconciles them (docs/operations.md, CryptoIndexFundStalled)"),
                now, cancellationToken).ConfigureAwait(false);
        }

        if (ledger is { } books && BooksVenue.MoveRefused(fund, definition, record, books.Value) is { } refused)
        {
            // Nothing is traded or recorded: the books stay as they are until the spec points back (a spec change
            // reconciles at once) or the fund is created anew.
            return await NotReadyAsync(current, fund, ExchangeChanged, refused, now, cancellationToken).ConfigureAwait(false);
        }

        // A fund that never traded (nothing recorded, cash only: a dry run, or one not funded yet) holds spec.capital as
        // it is now; only a fund that traded keeps the capital its ledger started from.
        var holdings = ledger is { } recorded ? recorded.Value : FundEvaluator.HoldingsFrom(fund.Status, definition.Capital);
        var neverTraded = record is null && holdings.HasNoPositions;
        if (neverTraded)
        {
            holdings = Holdings.CashOnly(definition.Capital);
        }

        var assets = FundEvaluator.AssetsToPrice(definition, holdings, fund.Status);
        TrackEveryFundOnce(request.Cache);
        var snapshot = await service.GetSnapshotAsync(assets, definition.Prices.RefreshInterval, cancellationToken).ConfigureAwait(false);
        var history = new RebalanceHistory(record?.FinishedAt, record?.Inputs.Targets.Where(t => t.Value > 0m).Select(t => t.Key).ToList());
        var evaluation = FundEvaluator.Evaluate(fund, snapshot, holdings, history, now);
        var capitalNote = neverTraded ? null : CapitalNotApplied(fund, definition);
        if (neverTraded && evaluation.Valuation is not null)
        {
            evaluation.Status.Capital = StatusText.Money(definition.Capital);
        }
        Handled(current, evaluation.Status);
        if (record is not null)
        {
            evaluation.Status.LastRebalanceTime = record.FinishedAt is { } finished ? StatusText.Time(finished) : null;
            evaluation.Status.RebalanceSequence = record.Sequence;
            evaluation.Status.LastRebalanceReason = fund.Status?.Rebalances?.FirstOrDefault(r => r.Sequence == record.Sequence)?.Reason;
        }

        if (evaluation.Decision is { ShouldRebalance: true } decision && !definition.DryRun)
        {
            var start = new RebalanceStart(
                current.Uid,
                (record?.Sequence ?? 0) + 1,
                holdings,
                evaluation.Targets!,
                evaluation.Valuation!.Positions.ToDictionary(p => p.Symbol, p => p.Price, StringComparer.Ordinal),
                definition.Planning,
                evaluation.Untradable)
            {
                // The account the books are on binds the next rebalance only while the spec names the same credentials.
                BooksAccount = BooksVenue.Account(fund, definition, record),
                Venue = ExchangeIdentity.Of(definition.Exchange),
            };
            journal.StartReason = decision.Summary;
            evaluation.Status.RebalanceSequence = start.Sequence; // "the last rebalance started": this one
            journal.StartStatus = JsonSerializer.SerializeToNode(evaluation.Status, ApiJson.Options)!.AsObject();
            journal.StartStatusFrom = current.ResourceVersion; // the version it was evaluated from
            if (!guarded)
            {
                // Real orders: the finalizer goes on before the record that allows sending them is written, so a delete
                // from now on waits for their outcome; a plan with no order large enough to send adds none (it would
                // be added and removed again at every refresh while the drift lasts).
                journal.GuardStart = ct => finalizer.AddAsync(current, ct);
            }

            ObserveMetrics(ns, name, evaluation);
            var (result, idle) = await ExecuteAsync(current, fund, definition.Exchange, definition.Prices.RefreshInterval, journal, start, cancellationToken).ConfigureAwait(false);
            if (idle is null)
            {
                // The rebalance's first save wrote the fresh condition over a stale one (read from the server, not
                // the cache): recovery is told by this reconcile, once.
                if (journal.StartStatusWritten && journal.ReplacedReadyReason == FundEvaluator.PricesStale)
                {
                    await events.NormalAsync(current, "PricesRecovered", "prices are fresh again: " + evaluation.Message, cancellationToken).ConfigureAwait(false);
                }

                if (journal.StartStatusWritten && capitalNote is not null)
                {
                    await events.WarningAsync(current, CapitalNotAppliedReason, capitalNote, cancellationToken).ConfigureAwait(false);
                }

                return result;
            }

            // Every order is below the minimums: nothing was recorded or sent. Report the fund, and why it stays as it is.
            evaluation.Status.Conditions =
            [
                FundConditions.Set(fund.Status?.Conditions, FundConditions.Ready, "True", NothingToTrade, decision.Summary + "; " + idle, fund.Metadata.Generation ?? 0, now),
            ];
        }

        var dryRun = evaluation.Decision is { ShouldRebalance: true } && definition.DryRun;
        var newPlan = dryRun ? await DescribeDryRunAsync(fund, definition, holdings, evaluation, evaluation.Decision!.Summary, now, cancellationToken).ConfigureAwait(false) : null;

        ObserveMetrics(ns, name, evaluation);

        // Events follow the write: a write from a stale copy is a conflict (a quiet requeue) and tells nothing, so news
        // judged against an old status (a plan, a recovery) is never told twice.
        var written = await WriteAsync(current, evaluation.Status, cancellationToken, ownHistory: dryRun, keepDryRunPlan: definition.DryRun).ConfigureAwait(false);

        // Recovery is told once, by the reconcile that writes the fresh condition (one that starts a rebalance tells it above).
        // Staleness is told when it starts, like recovery when it ends: its message carries the prices' age, so an
        // Event at every refresh would be a new one each time and use up the fund's share of Events (see EventRecorder).
        var wasStale = WasStale(fund);
        if (evaluation.Reason == FundEvaluator.PricesStale && !wasStale)
        {
            await events.WarningAsync(current, FundEvaluator.PricesStale, evaluation.Message, cancellationToken).ConfigureAwait(false);
        }
        else if (wasStale && evaluation.Valuation is not null)
        {
            await events.NormalAsync(current, "PricesRecovered", "prices are fresh again: " + evaluation.Message, cancellationToken).ConfigureAwait(false);
        }

        if (newPlan is not null)
        {
            await events.NormalAsync(current, "RebalancePlanned", "dry run: " + newPlan, cancellationToken).ConfigureAwait(false);
        }

        if (capitalNote is not null)
        {
            await events.WarningAsync(current, CapitalNotAppliedReason, capitalNote, cancellationToken).ConfigureAwait(false);
        }

        if (guarded && !await finalizer.RemoveAsync(written.Key, written.ResourceVersion, [.. current.Finalizers.Union([RebalanceFinalizer.Name])], cancellationToken).ConfigureAwait(false))
        {
            // No rebalance is in progress (the last finished, or none was started: nothing to trade): the fund may go,
            // if it is still the version judged from (or the one this reconcile wrote). A cached copy that lags behind
            // a rebalance started since (with nothing to write, no conflict told it so) or another controller's change
            // of the finalizers fails the removal: read again.
            return ReconcileResult.RequeueRateLimited;
        }

        return ReconcileResult.RequeueAfter(definition.Prices.RefreshInterval);
    }

    /// <summary>
    /// A fund being deleted sends no order. A rebalance in progress with orders sent whose outcome is not known yet is
    /// paused (<see cref="RebalancePause.Deleting"/>) and its orders looked up until each is resolved; then an Event
    /// tells the rebalance's final record (its status goes with the fund) and the finalizer is removed. The holdings
    /// stay in the exchange account.
    /// </summary>
    private async Task<ReconcileResult> DeletingAsync(
        Runtime.KubeObject current, IndexFund fund, FundDefinition? definition, StatusRebalanceJournal journal, CryptoIndex.Exchanges.Execution.RebalanceRecord? record,
        CancellationToken cancellationToken)
    {
        if (RebalanceFinalizer.AwaitsOrders(record))
        {
            journal.Pause = RebalancePause.Deleting;
            // Orders are looked up where the rebalance recorded them, whatever spec.exchange says now (edited since, or
            // invalid); only a record too old to say where follows the spec.
            var (result, _) = await ExecuteAsync(
                current, fund, BooksVenue.Of(fund, record!) is null ? definition?.Exchange : null, definition?.Prices.RefreshInterval ?? InvalidSpecRevaluation(fund),
                journal, null, cancellationToken).ConfigureAwait(false);
            if (journal.Last is not { } last || RebalanceFinalizer.AwaitsOrders(last))
            {
                return result; // still looking up (the conditions say why the delete waits), or the exchange could not be asked
            }

            record = last;
        }

        return await LetGoAsync(current, record, journal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// spec.exchange names another account than the rebalance in progress trades on: the rebalance is paused
    /// (<see cref="RebalancePause.ExchangeChanged"/>), before suspend or dry run (only a person can end it). Nothing is
    /// sent on either account, but orders already sent are looked up where the rebalance recorded them, so their fills
    /// are recorded once instead of waiting for the spec to be put back. One Warning per spec generation, like InvalidSpec.
    /// </summary>
    private async Task<ReconcileResult> ExchangeChangedAsync(
        Runtime.KubeObject current, IndexFund fund, FundDefinition definition, StatusRebalanceJournal journal, CryptoIndex.Exchanges.Execution.RebalanceRecord record,
        string startedOn, CancellationToken cancellationToken)
    {
        var why = $"spec.exchange changed while rebalance {record.Sequence} was open: it trades on {startedOn}, the spec now says {ExchangeIdentity.Of(definition.Exchange)}";
        var pause = RebalancePause.ExchangeChanged(why, startedOn);
        journal.Pause = pause;
        var (result, _) = await ExecuteAsync(current, fund, null, definition.Prices.RefreshInterval, journal, null, cancellationToken).ConfigureAwait(false);
        if (fund.Status?.ObservedGeneration != fund.Metadata.Generation
            || (ReadyReason(fund) != ExchangeChanged && ReconcilingReason(fund) != ExchangeChanged))
        {
            await events.WarningAsync(current, ExchangeChanged, pause.Prefix + $"rebalance {record.Sequence} " + pause.Describe(record, null), cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// A deleted fund with no order awaiting an answer: its rebalance's final record is told in an Event (its status
    /// goes with it) and the finalizer removed, conditional on the version the record was read from (the journal's:
    /// its look-ups may have saved since <paramref name="current"/>) and on the finalizers read, so that another
    /// controller's stays.
    /// </summary>
    private async Task<ReconcileResult> LetGoAsync(
        Runtime.KubeObject current, CryptoIndex.Exchanges.Execution.RebalanceRecord? record, StatusRebalanceJournal journal, CancellationToken cancellationToken)
    {
        if (!current.Finalizers.Contains(RebalanceFinalizer.Name))
        {
            return ReconcileResult.Done; // nothing holds it here (paper, or no rebalance in progress): the delete goes on
        }

        if (record is not null)
        {
            // Events are best effort (dropped by the spam filter or a failed write): the log keeps the record too.
            var summary = RebalanceFinalizer.Summary(record);
            LogClosedByDelete(current.Key, summary);
            await events.NormalAsync(current, RebalanceFinalizer.DeletedReason, summary, cancellationToken).ConfigureAwait(false);
        }

        return await finalizer.RemoveAsync(current.Key, journal.KnownResourceVersion ?? current.ResourceVersion, current.Finalizers, cancellationToken).ConfigureAwait(false)
            ? ReconcileResult.Done
            : ReconcileResult.RequeueRateLimited;
    }

    /// <summary>
    /// A fund whose spec is invalid is still valued (books of its last rebalance, current prices from the provider the
    /// spec names, that rebalance's targets), so that NAV and metrics do not freeze; null when it never traded (its
    /// cash does not move) or its books cannot be valued.
    /// </summary>
    private async Task<Engine.Portfolio.PortfolioValuation?> RevalueAsync(
        IndexFund fund, Exchanges.Execution.RebalanceRecord? record, IndexFundStatus status, CancellationToken cancellationToken)
    {
        if (record?.Holdings() is not { IsSuccess: true } books)
        {
            return null;
        }

        // The ids the spec gives, where it gives them (it may list a symbol twice: the first counts).
        var named = fund.Spec.Constituents.Where(c => !string.IsNullOrEmpty(c.Symbol)).GroupBy(c => c.Symbol!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var assets = books.Value.Quantities.Keys.Union(record.Inputs.Targets.Keys, StringComparer.Ordinal)
            .Select(s => named.TryGetValue(s, out var c) ? new AssetRef(s, c.CoinGeckoId, c.BinancePair ?? s + BinanceQuoteAsset) : FundEvaluator.HeldRef(s, fund.Status))
            .ToList();
        var snapshot = prices.For(SpecValidator.ProviderName(fund.Spec.Prices.Provider), out _) is { } service
            ? await service.GetSnapshotAsync(assets, InvalidSpecRevaluation(fund), cancellationToken).ConfigureAwait(false)
            : MarketSnapshot.Empty;
        return FundEvaluator.Revalue(status, books.Value, record.Inputs.Targets, record.Inputs.Options.CashBuffer, snapshot, assets);
    }

    /// <summary>
    /// spec.capital funds a new fund only; changed afterwards it moves no money (the ledger in status is the fund's
    /// money, and a deposit or withdrawal is not something an edit should do). Told by the reconcile that first sees a
    /// new generation, as long as spec.capital differs from what the ledger started from: once for the change, again
    /// (the same Event, counted) at each later spec edit that leaves it so, never at refreshes in between.
    /// </summary>
    private static string? CapitalNotApplied(IndexFund fund, FundDefinition definition) =>
        fund.Status?.Capital is { } opened
        && StatusText.TryRead(opened, out var startedWith)
        && startedWith != definition.Capital
        && fund.Status.ObservedGeneration != fund.Metadata.Generation
            ? $"spec.capital is {StatusText.Money(definition.Capital)} but the fund started from {opened}: capital only funds a new fund, and a change moves no money (NAV {fund.Status.Nav ?? "unknown"}); to fund it anew, delete and recreate it"
            : null;

    /// <summary>
    /// Starts or resumes the rebalance. <c>NothingToTrade</c> is set (and nothing recorded) when the plan for a new
    /// rebalance has no order large enough to send; the caller then reports the fund instead. <c>spec</c> is
    /// spec.exchange, which a rebalance resumed must still name; null when the spec cannot say (it is invalid): then
    /// only a paused rebalance is resumed (<see cref="StatusRebalanceJournal.Pause"/>), on the account it recorded.
    /// <c>refresh</c>: how soon a fund that waits (or is paused) is looked at again.
    /// </summary>
    private async Task<(ReconcileResult Result, string? NothingToTrade)> ExecuteAsync(
        Runtime.KubeObject current, IndexFund fund, ExchangeSettings? spec, TimeSpan refresh, StatusRebalanceJournal journal, RebalanceStart? start,
        CancellationToken cancellationToken)
    {
        var recorded = start is null ? await journal.LoadAsync(current.Uid, cancellationToken).ConfigureAwait(false) : null;
        if (journal.Pause is not null && recorded is { Phase: not RebalancePhase.Done } && !recorded.Legs.Any(l => l.State == LegState.Sent))
        {
            // Paused with nothing to look up: the exchange is not asked anything (nor its Secret read) while nothing may
            // be sent. A spec change reconciles at once; the refresh only keeps the report current.
            await ReportPausedAsync(current, journal, null, cancellationToken).ConfigureAwait(false);
            return (ReconcileResult.RequeueAfter(refresh), null);
        }

        if (journal.Pause is null && start is null && RebalancePause.IsPauseReason(fund.Status?.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Reconciling)?.Reason))
        {
            // Resumed: the conditions stop saying paused before anything else is reported (an exchange that cannot be
            // reached now keeps the Reconciling condition as it is).
            await journal.ReportResumedAsync(cancellationToken).ConfigureAwait(false);
        }

        IExchange exchange;
        try
        {
            exchange = await ExchangeForAsync(fund, spec, journal, start, recorded, cancellationToken).ConfigureAwait(false);
        }
        catch (CredentialsUnavailableException e)
        {
            // Nothing was sent. Secrets are not watched, so look again at the next refresh.
            await NotReadyAsync(current, fund, CredentialsUnavailable, e.Message + DeletionWaits(current, journal, recorded), time.GetUtcNow(), cancellationToken,
                reconciling: PausedLookups(fund, journal, recorded, e.Message)).ConfigureAwait(false);
            return (ReconcileResult.RequeueAfter(refresh), null);
        }
        catch (ExchangeDisabledException e)
        {
            // Nothing was sent, and nothing will be until the spec names another exchange (a spec change reconciles at once).
            await NotReadyAsync(current, fund, ExchangeDisabled, e.Message + DeletionWaits(current, journal, recorded), time.GetUtcNow(), cancellationToken,
                reconciling: PausedLookups(fund, journal, recorded, e.Message)).ConfigureAwait(false);
            return (ReconcileResult.Done, null);
        }
        catch (ExchangeChangedException e)
        {
            // Nothing is sent until the spec names the rebalance's account again (a spec change reconciles at once).
            await NotReadyAsync(current, fund, ExchangeChanged, e.Message + DeletionWaits(current, journal, recorded), time.GetUtcNow(), cancellationToken,
                reconciling: PausedLookups(fund, journal, recorded, e.Message)).ConfigureAwait(false);
            return (ReconcileResult.Done, null);
        }

        // Paper fills at the reference price, so its buys need no headroom; a real market buy fills at the ask.
        var executor = new RebalanceExecutor(
            exchange, journal, exchangeMetrics, time, loggers.CreateLogger<RebalanceExecutor>(), new ExecutorOptions(BuyHeadroom: exchange is PaperExchange ? 0m : BinanceBuyHeadroom));
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
            return (ReconcileResult.RequeueRateLimited, null);
        }
        catch (OrdersHeldException) when (journal.Pause is not null)
        {
            // The orders sent before the pause are final and recorded; the next one was refused before it was recorded
            // or sent. (A leg sent before the pause that the exchange never received is not resent either: the journal
            // recorded it as pending again.)
            await ReportPausedAsync(current, journal, null, cancellationToken).ConfigureAwait(false);
            return (ReconcileResult.RequeueAfter(refresh), null);
        }
        finally
        {
            // What this reconcile's saves recorded (a rebalance started, an order sent or resolved, the last finished),
            // not only what it read: the next reconcile may be minutes away (a ban, a paused fund's refresh).
            metrics.SetRebalance(fund.Metadata.NamespaceProperty ?? "default", fund.Metadata.Name!, journal.Last);
            if (journal.FinishedValuation is { } books)
            {
                // The books the finishing save wrote with the rebalance's end: NAV and weights move with the status.
                metrics.Observe(fund.Metadata.NamespaceProperty ?? "default", fund.Metadata.Name!, books, ready: null);
            }
        }

        if (journal.Pause is not null && result.Status == ExecutionStatus.Waiting
            && result.Error is not (ExchangeErrorKind.Unauthorized or ExchangeErrorKind.AccountChanged))
        {
            // An order sent before the pause is still open, or its look-up failed: looked up again when the exchange
            // says. Otherwise the wait was on the way to sending the next order (the exchange's clock, its account),
            // which the pause holds anyway.
            var lookingUp = result.Record?.Legs.Any(l => l.State == LegState.Sent) == true;
            await ReportPausedAsync(current, journal, lookingUp ? result.Reason : null, cancellationToken).ConfigureAwait(false);
            return (lookingUp ? RetryAt(result.RetryAt ?? time.GetUtcNow() + TimeSpan.FromSeconds(5)) : ReconcileResult.RequeueAfter(refresh), null);
        }

        if (result.Status == ExecutionStatus.NothingToTrade)
        {
            return (ReconcileResult.RequeueAfter(refresh), result.Reason ?? "no order is large enough to send");
        }

        if (start is not null && result.Record?.Sequence == start.Sequence && result.Status is ExecutionStatus.Done or ExecutionStatus.Waiting)
        {
            await events.NormalAsync(current, "RebalanceStarted", journal.StartReason ?? "rebalance", cancellationToken).ConfigureAwait(false);
        }

        return (await ReportAsync(current, fund, journal, result, refresh, cancellationToken).ConfigureAwait(false), null);
    }

    private async Task<ReconcileResult> ReportAsync(
        Runtime.KubeObject current, IndexFund fund, StatusRebalanceJournal journal, ExecutionResult result, TimeSpan refresh, CancellationToken cancellationToken)
    {
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
            case ExecutionStatus.Waiting when result.Error == ExchangeErrorKind.Unauthorized:
                // Keys refused: resending every few seconds cannot help and risks a ban. A person must fix the Secret;
                // the rebalance stays recorded and resumes at the next refresh once the keys work.
                var refused = "the exchange refused the fund's API key: " + result.Reason + DeletionWaits(current, journal, result.Record);
                if (await journal.ReportWaitingAsync(result.Reason ?? refused, cancellationToken, (CredentialsRefused, refused), time.GetUtcNow()).ConfigureAwait(false))
                {
                    await events.WarningAsync(current, CredentialsRefused, refused, cancellationToken).ConfigureAwait(false);
                }

                return ReconcileResult.RequeueAfter(refresh);
            case ExecutionStatus.Waiting when result.Error == ExchangeErrorKind.AccountChanged:
                // The Secret now holds keys of another account: only a person can tell which is right. Checked again
                // at each refresh (Secrets are not watched); nothing is sent meanwhile.
                var moved = (result.Reason ?? "the credentials reach another account than the rebalance's") + DeletionWaits(current, journal, result.Record);
                if (await journal.ReportWaitingAsync(moved, cancellationToken, (ExchangeChanged, moved), time.GetUtcNow()).ConfigureAwait(false))
                {
                    await events.WarningAsync(current, ExchangeChanged, moved, cancellationToken).ConfigureAwait(false);
                }

                return ReconcileResult.RequeueAfter(refresh);
            case ExecutionStatus.NotStarted when result.Error == ExchangeErrorKind.AccountChanged:
                // Nothing recorded: the Secret holds keys of another account than the fund's books. Looked at again at
                // each refresh (Secrets are not watched).
                await NotReadyAsync(current, fund, ExchangeChanged, result.Reason ?? "the credentials reach another account", time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return ReconcileResult.RequeueAfter(refresh);
            case ExecutionStatus.NotStarted when result.Error == ExchangeErrorKind.Unauthorized:
                // Keys refused before anything was recorded: as above, asked again at the next refresh.
                await NotReadyAsync(current, fund, CredentialsRefused, "the exchange refused the fund's API key: " + result.Reason, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return ReconcileResult.RequeueAfter(refresh);
            case ExecutionStatus.Waiting:
                await ReportWaitingAsync(current, journal, result.Reason, cancellationToken).ConfigureAwait(false);
                return RetryAt(result.RetryAt ?? time.GetUtcNow() + TimeSpan.FromSeconds(5));
            default:
                var why = result.Reason ?? "the rebalance could not start";
                if (result.RetryAt is { } retry)
                {
                    // The exchange could not be asked (an outage, a rate limit): nothing was sent; tried again by itself.
                    await NotReadyAsync(current, fund, ExchangeUnavailable, why, time.GetUtcNow(), cancellationToken, stalled: false).ConfigureAwait(false);
                    return RetryAt(retry);
                }

                await NotReadyAsync(current, fund, "RebalanceFailed", why, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                return ReconcileResult.Done;
        }
    }

    /// <summary>
    /// A rebalance paused by suspend or dryRun says so in its Ready and Reconciling conditions, with the orders not
    /// sent; an Event tells it once, when the pause begins (or turns from one setting to the other).
    /// </summary>
    private async Task ReportPausedAsync(Runtime.KubeObject current, StatusRebalanceJournal journal, string? lookingUp, CancellationToken cancellationToken)
    {
        var pause = journal.Pause!;
        var news = await journal.ReportPausedAsync(lookingUp, cancellationToken).ConfigureAwait(false);
        metrics.SetReady(current.Key.Namespace ?? "default", current.Key.Name, pause.ReadyStatus == "True");
        if (news is not null && !pause.Stalls) // a pause only a person can end is told by the caller, in a Warning
        {
            await events.NormalAsync(current, pause.Reason, news, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// For a deleted fund whose orders sent cannot be looked up: why its deletion waits and how a person lets it go
    /// (<see cref="RebalanceFinalizer.DeletionWaits"/>); empty otherwise.
    /// </summary>
    private static string DeletionWaits(Runtime.KubeObject current, StatusRebalanceJournal journal, CryptoIndex.Exchanges.Execution.RebalanceRecord? recorded) =>
        journal.Pause == RebalancePause.Deleting && RebalanceFinalizer.AwaitsOrders(recorded)
            ? RebalanceFinalizer.DeletionWaits(current.Key.Namespace ?? "default", current.Key.Name, recorded!)
            : string.Empty;

    /// <summary>
    /// The Reconciling condition of a paused rebalance whose orders sent cannot be looked up now (<paramref name="why"/>),
    /// or null (not paused: the condition stays as it is).
    /// </summary>
    private static FundCondition? PausedLookups(IndexFund fund, StatusRebalanceJournal journal, CryptoIndex.Exchanges.Execution.RebalanceRecord? recorded, string why) =>
        journal.Pause is { } pause && RebalanceFinalizer.AwaitsOrders(recorded)
            ? StatusRebalanceJournal.PausedCondition(recorded!, pause, why, fund.Metadata.Generation ?? 0)
            : null;

    /// <summary>
    /// Requeues at the executor's retry time. One already reached means the exchange asked for no wait at all (an order
    /// refused for its timestamp, resent with the clock measured again; a <c>Retry-After: 0</c>): the first retry goes at
    /// once, and while the exchange keeps answering so (a clock incident on its side) the retries back off per fund (5 ms,
    /// doubling, as for errors) until a reconcile that requeues after a delay resets it. Each resend writes the leg to
    /// status twice (sent, then pending again); every 100 ms it was ten orders and twenty status writes a second.
    /// </summary>
    private ReconcileResult RetryAt(DateTimeOffset at)
    {
        var delay = at - time.GetUtcNow();
        return delay <= TimeSpan.Zero
            ? ReconcileResult.RequeueRateLimited
            : ReconcileResult.RequeueAfter(delay > MinimumRetryDelay ? delay : MinimumRetryDelay);
    }

    /// <summary>
    /// The exchange the rebalance runs on: the spec's, which when resuming must still be the account the rebalance
    /// started on (else <see cref="ExchangeChangedException"/>: its open orders stay where they are). With no
    /// <paramref name="spec"/> (a paused rebalance whose orders sent are only looked up), the account it recorded.
    /// </summary>
    private async Task<IExchange> ExchangeForAsync(
        IndexFund fund, ExchangeSettings? spec, StatusRebalanceJournal journal, RebalanceStart? start, CryptoIndex.Exchanges.Execution.RebalanceRecord? recorded, CancellationToken cancellationToken)
    {
        var startedOn = recorded is null ? null : BooksVenue.Of(fund, recorded);
        if (spec is not null && startedOn is not null && startedOn != ExchangeIdentity.Of(spec))
        {
            throw new ExchangeChangedException(
                $"spec.exchange changed while rebalance {recorded!.Sequence} was open: it trades on {startedOn}, the spec now says {ExchangeIdentity.Of(spec)}; "
                + "put spec.exchange back until the rebalance finishes (nothing is sent meanwhile)");
        }

        var kind = recorded?.Exchange ?? (spec!.Kind == ExchangeKind.Paper ? "paper" : "binance");
        if (kind != "paper")
        {
            var (testnet, secret) = spec is not null ? (spec.Testnet, spec.CredentialsSecret)
                : ExchangeIdentity.BinanceAccount(startedOn) ?? throw new ExchangeChangedException(
                    $"rebalance {recorded!.Sequence} does not record the Binance account it trades on (a record older than that), and the spec cannot say: "
                    + "make the spec valid, naming that account, so that its orders sent can be looked up");
            return await binance.ForAsync(fund.Metadata.NamespaceProperty ?? "default", secret, testnet, BinanceQuoteAsset, cancellationToken).ConfigureAwait(false);
        }

        var referencePrices = start?.Prices ?? recorded!.Inputs.Prices;
        var startHoldings = start?.Holdings ?? recorded!.StartHoldings;
        return new PaperExchange(
            symbol => referencePrices[symbol],
            _ => Task.FromResult(journal.CurrentHoldings(startHoldings)), // the ledger as recorded: after the sells, their proceeds
            // The fee rate the plan was made with: spec.exchange.feeRate as it was when the rebalance started.
            new PaperOptions(FeeRate: (start?.Options ?? recorded!.Inputs.Options).FeeRate, QuoteAsset: fund.Spec.QuoteCurrency),
            time);
    }

    /// <summary>
    /// A rebalance held up by the exchange (an outage, a rate limit, an order still open) says why in its
    /// <c>Reconciling</c> condition, and a refusal also in an Event, so nobody has to read the operator's logs.
    /// </summary>
    private async Task ReportWaitingAsync(Runtime.KubeObject current, StatusRebalanceJournal journal, string? reason, CancellationToken cancellationToken)
    {
        if (reason is null)
        {
            return;
        }

        if (await journal.ReportWaitingAsync(reason, cancellationToken).ConfigureAwait(false) && !reason.StartsWith(OrderStillOpen, StringComparison.Ordinal))
        {
            await events.WarningAsync(current, "RebalanceWaiting", reason, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ready=False with the reason, and Stalled=True when only a person can fix it (otherwise Stalled is cleared: the
    /// operator retries by itself). Writes only if changed. The Warning Event is told when the condition changes (or
    /// the spec does, like InvalidSpec), not at every refresh that finds it so: each repeat would use up the fund's
    /// share of Events (see EventRecorder).
    /// </summary>
    private async Task<ReconcileResult> NotReadyAsync(
        Runtime.KubeObject current, IndexFund fund, string reason, string message, DateTimeOffset now, CancellationToken cancellationToken, bool stalled = true,
        FundCondition? reconciling = null)
    {
        var status = JsonSerializer.Deserialize<IndexFundStatus>(JsonSerializer.Serialize(fund.Status ?? new IndexFundStatus(), ApiJson.Options), ApiJson.Options)!;
        status.ObservedGeneration = fund.Metadata.Generation;
        Handled(current, status); // handled, if not well
        var generation = fund.Metadata.Generation ?? 0;
        status.Conditions =
        [
            FundConditions.Set(fund.Status?.Conditions, FundConditions.Ready, "False", reason, message, generation, now),
            .. stalled ? [FundConditions.Set(fund.Status?.Conditions, FundConditions.Stalled, "True", reason, message, generation, now)] : Array.Empty<FundCondition>(),
            // A rebalance in progress stays reported (as paused, with why its orders sent are not looked up, if it is).
            .. reconciling is not null ? [reconciling] : fund.Status?.Conditions?.Where(c => c.Type == FundConditions.Reconciling) ?? [],
        ];
        await WriteAsync(current, status, cancellationToken).ConfigureAwait(false);
        var before = fund.Status?.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Ready);
        if (fund.Status?.ObservedGeneration != fund.Metadata.Generation || before is not { Status: "False" } || before.Reason != reason || before.Message != message)
        {
            await events.WarningAsync(current, reason, message, cancellationToken).ConfigureAwait(false);
        }

        return ReconcileResult.Done;
    }

    /// <summary>
    /// A dry run plans and reports (status.rebalances entry, Ready reason DryRun); never sends. It plans with the symbol
    /// rules and buy headroom a real rebalance would (<see cref="DryRunRules"/>: Binance's public exchangeInfo, no
    /// Secret read, nothing signed), or, when they cannot be read, without them and says so. Returns the plan's message
    /// when it is news for an Event (other orders or reasons), else null.
    /// </summary>
    private async Task<string?> DescribeDryRunAsync(
        IndexFund fund, FundDefinition definition, Holdings holdings, FundEvaluation evaluation, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var history = fund.Status?.Rebalances ?? [];
        var previous = history.FirstOrDefault(r => r.Id == DryRunPlan.Id);
        var rules = await dryRunRules.ForAsync(definition, fund.Spec.QuoteCurrency, holdings, evaluation, cancellationToken).ConfigureAwait(false);
        var plan = DryRunPlan.Describe(holdings, evaluation, definition.Planning, reason, previous, now, rules.Rules, rules.BuyHeadroom, rules.Unavailable);
        evaluation.Status.Rebalances = [plan, .. history.Where(r => r.Id != DryRunPlan.Id).Take(Math.Max(0, fund.Spec.HistoryLimit - 1))];
        evaluation.Status.Conditions =
        [
            FundConditions.Set(fund.Status?.Conditions, FundConditions.Ready, "True", DryRunPlan.Phase, "dry run: " + reason + "; " + plan.Message, fund.Metadata.Generation ?? 0, now),
        ];
        return DryRunPlan.IsNew(plan, previous) ? plan.Message : null;
    }

    /// <summary>Echoes a requested reconcile (<see cref="RequestedAtAnnotation"/>) into the status about to be written.</summary>
    private static void Handled(Runtime.KubeObject current, IndexFundStatus status) =>
        status.LastHandledReconcileAt = current.Annotation(RequestedAtAnnotation) ?? status.LastHandledReconcileAt;

    private static bool WasStale(IndexFund fund) => ReadyReason(fund) == FundEvaluator.PricesStale;

    private static string? ReadyReason(IndexFund fund) => fund.Status?.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Ready)?.Reason;

    private static string? ReconcilingReason(IndexFund fund) => fund.Status?.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Reconciling)?.Reason;

    private void ObserveMetrics(string ns, string name, FundEvaluation evaluation)
    {
        if (evaluation.Valuation is { } valuation)
        {
            metrics.Observe(ns, name, valuation, evaluation.Status.Conditions?.FirstOrDefault()?.Status == "True");
        }
    }

    /// <summary>
    /// Writes the status (a no-op when unchanged); the executor's own fields are left as the journal wrote them, except
    /// that a dry run's plan is set by the reconcile that made it (<paramref name="ownHistory"/>) and dropped once the
    /// fund is no longer a dry run (<paramref name="keepDryRunPlan"/> false).
    /// </summary>
    private async Task<Runtime.KubeObject> WriteAsync(
        Runtime.KubeObject current, IndexFundStatus status, CancellationToken cancellationToken, bool ownHistory = false, bool keepDryRunPlan = true)
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
                    desired[journalField] = JsonNodes.From(kept);
                }

                if (journalField == "rebalances" && !keepDryRunPlan && desired[journalField] is JsonArray history)
                {
                    foreach (var plan in history.Where(r => (string?)r?["id"] == DryRunPlan.Id).ToList())
                    {
                        history.Remove(plan);
                    }
                }
            }
        }

        var written = await statusWriter.WriteAsync(current, desired, cancellationToken).ConfigureAwait(false);
        metrics.SetReady(current.Key.Namespace ?? "default", current.Key.Name, status.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Ready)?.Status == "True");
        return written.Updated;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Fund {Fund} was deleted while it was reconciled")]
    private partial void LogDeletedMeanwhile(ObjectKey fund);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fund {Fund}: rebalance {Sequence} done, {Completed} orders completed")]
    private partial void LogCompleted(string fund, long sequence, int completed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fund {Fund}: {Record}")]
    private partial void LogClosedByDelete(ObjectKey fund, string record);
}
