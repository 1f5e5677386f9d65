using System.Collections.Immutable;
using System.Globalization;
using CryptoIndex.Engine.Planning;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>
/// Executes a rebalance exactly once across crashes (README, "Exactly once"):
/// <list type="number">
/// <item>the plan is recorded (every leg pending, with its deterministic client order id) before anything is sent;</item>
/// <item>a leg is recorded as sent, with the timestamp of the attempt, before it is sent (on an exchange that keeps no
/// orders, paper, a phase's legs are staged and stored by the save that ends the phase: see <see cref="SaveLegAsync"/>);</item>
/// <item>a leg whose outcome is unknown (no answer, 5xx, crash) is looked up by its client order id: found → adopted;
/// not found once the attempt can no longer be accepted → sent again with the same id; otherwise wait;</item>
/// <item>sells first; then the Engine plans again on the holdings the fills produced, and the buys are resized to the
/// cash actually received, recorded, and only then sent.</item>
/// </list>
/// Every call continues from the journal, so a new executor over the same journal and exchange resumes where a
/// stopped one left off.
/// </summary>
public sealed class RebalanceExecutor(
    IExchange exchange,
    IRebalanceJournal journal,
    ExchangeMetrics metrics,
    TimeProvider time,
    ILogger<RebalanceExecutor> logger,
    ExecutorOptions? options = null)
{
    private readonly IExchange exchange = exchange ?? throw new ArgumentNullException(nameof(exchange));
    private readonly IRebalanceJournal journal = journal ?? throw new ArgumentNullException(nameof(journal));
    private readonly ExchangeMetrics metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
    private readonly TimeProvider time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly ILogger logger = logger ?? throw new ArgumentNullException(nameof(logger));
    private readonly ExecutorOptions options = options ?? new ExecutorOptions();

    /// <summary>Whether the journal holds a staged record that is not stored yet (<see cref="SaveLegAsync"/>).</summary>
    private bool staged;

    /// <summary>The exchange's rules for every asset the rebalance may trade (<see cref="RebalanceRules"/>).</summary>
    private Task<IReadOnlyDictionary<string, SymbolRules>> RulesAsync(RebalanceStart start, CancellationToken cancellationToken) =>
        RebalanceRules.GetAsync(
            exchange, start.Targets.Keys, start.Holdings, start.Untradable, (asset, why) => ExecutorLog.MarketClosed(logger, start.FundUid, asset, why), cancellationToken);

    /// <summary>
    /// Starts rebalance <see cref="RebalanceStart.Sequence"/> unless one is in progress (then that one is resumed and
    /// <paramref name="start"/> ignored) or it was already done (then its record is returned).
    /// </summary>
    public async Task<ExecutionResult> StartAsync(RebalanceStart start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(start);
        staged = false;
        var existing = await journal.LoadAsync(start.FundUid, cancellationToken).ConfigureAwait(false);
        if (existing is not null && (existing.Phase != RebalancePhase.Done || existing.Sequence >= start.Sequence))
        {
            return await RunAsync(existing, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyDictionary<string, SymbolRules> rules;
        string? account;
        var asking = "exchange rules unavailable: ";
        try
        {
            rules = await RulesAsync(start, cancellationToken).ConfigureAwait(false);
            asking = "exchange account unavailable: ";
            account = await exchange.GetAccountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            // Nothing recorded, nothing sent: the reconciler simply tries again (soon after an outage; after minutes for
            // an index asset with no open market, which a person may have to remove from the index; at its next
            // refresh for keys the exchange refuses).
            var wait = e.RetryAfter ?? (e.Kind == ExchangeErrorKind.Rejected ? options.MarketClosedRetry : options.Retry);
            return new ExecutionResult(ExecutionStatus.NotStarted, existing, time.GetUtcNow() + wait, asking + e.Message, Error: e.Kind);
        }

        if (start.BooksAccount is { } books && account is not null && !string.Equals(account, books, StringComparison.Ordinal))
        {
            return AccountChanged(
                ExecutionStatus.NotStarted, existing, start.FundUid, start.Sequence, books, account,
                $"the {exchange.Name} credentials now reach account {account}, but the fund's books are on account {books}: nothing is planned or sent there; "
                + "put that account's keys back, or, to move the fund, put the new account's keys in another Secret and name it in spec.exchange");
        }

        var inputs = new RebalanceInputs(
            start.Targets.ToImmutableSortedDictionary(StringComparer.Ordinal),
            start.Prices.ToImmutableSortedDictionary(StringComparer.Ordinal),
            rules.ToImmutableSortedDictionary(StringComparer.Ordinal),
            start.Options);
        var plan = TradePlanner.Plan(RebalanceSteps.Request(start.Holdings, inputs));
        if (!plan.IsSuccess)
        {
            ExecutorLog.PlanRefused(logger, start.FundUid, plan.Error.ToString());
            return new ExecutionResult(ExecutionStatus.NotStarted, existing, Reason: plan.Error.Message, PlanError: plan.Error);
        }

        if (plan.Value.Orders.Count == 0)
        {
            // Every order is below the exchange's or the fund's minimums: recording a rebalance that trades nothing
            // would repeat at every refresh while the drift lasts. Nothing is recorded; the reconciler reports why.
            return new ExecutionResult(
                ExecutionStatus.NothingToTrade,
                existing,
                Reason: "no order is large enough to send: " + string.Join("; ", plan.Value.Dropped.Select(d => d.Message)));
        }

        var legs = plan.Value.Orders
            .Select(o => LegRecord.Planned(start.FundUid, start.Sequence, o.Leg, o.Symbol, o.Side, o.Quantity, o.Price))
            .ToImmutableList();
        var record = new RebalanceRecord(
            start.FundUid, start.Sequence, exchange.Name, RebalancePhase.Selling, 1, start.Holdings, inputs, legs,
            plan.Value.Dropped.ToImmutableList(), time.GetUtcNow(), null) { Revision = existing?.Revision ?? 0, Account = account, Venue = start.Venue };
        record = await SaveAsync(record, cancellationToken).ConfigureAwait(false);
        ExecutorLog.Planned(logger, start.FundUid, start.Sequence, legs.Count, plan.Value.Dropped.Count);
        return await RunAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Continues the fund's rebalance in progress, if any.</summary>
    public async Task<ExecutionResult> ResumeAsync(string fundUid, CancellationToken cancellationToken)
    {
        staged = false;
        var record = await journal.LoadAsync(fundUid, cancellationToken).ConfigureAwait(false);
        return record is null
            ? new ExecutionResult(ExecutionStatus.NotStarted, null, Reason: "no rebalance recorded")
            : await RunAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ExecutionResult> RunAsync(RebalanceRecord record, CancellationToken cancellationToken)
    {
        if (!string.Equals(record.Exchange, exchange.Name, StringComparison.Ordinal))
        {
            // Orders of a rebalance can only be looked up where they were sent.
            throw new InvalidOperationException($"rebalance {record.Sequence} of fund {record.FundUid} runs on {record.Exchange}, not {exchange.Name}");
        }

        if (record.Phase != RebalancePhase.Done && await OtherAccountAsync(record, cancellationToken).ConfigureAwait(false) is { } held)
        {
            return held;
        }

        while (true)
        {
            switch (record.Phase)
            {
                case RebalancePhase.Done:
                    return new ExecutionResult(ExecutionStatus.Done, record);

                case RebalancePhase.Selling:
                case RebalancePhase.Buying:
                    var side = record.Phase == RebalancePhase.Selling ? OrderSide.Sell : OrderSide.Buy;
                    foreach (var legNumber in record.Legs.Where(l => l.Side == side && !l.IsFinal).Select(l => l.Leg).Order().ToList())
                    {
                        var step = await DriveAsync(record, record.Legs.Single(l => l.Leg == legNumber), cancellationToken).ConfigureAwait(false);
                        record = step.Record;
                        if (step.Wait is { } wait)
                        {
                            // The call ends here: what is staged is stored first, so the wait reports a stored record.
                            return staged ? wait with { Record = await SaveAsync(record, cancellationToken).ConfigureAwait(false) } : wait;
                        }
                    }

                    if (record.Phase == RebalancePhase.Selling && record.Holdings() is { IsSuccess: false } books)
                    {
                        ExecutorLog.LedgerMismatch(logger, record.FundUid, record.Sequence, books.Error.ToString());
                    }

                    record = record.Phase == RebalancePhase.Selling
                        ? await SaveAsync(RebalanceSteps.PlanBuys(record, options), cancellationToken).ConfigureAwait(false)
                        : await SaveAsync(record with { Phase = RebalancePhase.Done, FinishedAt = time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
                    ExecutorLog.Phase(logger, record.FundUid, record.Sequence, record.Phase);
                    break;

                default:
                    throw new InvalidOperationException("unknown phase " + record.Phase);
            }
        }
    }

    /// <summary>
    /// Null when the exchange's credentials still reach the account the rebalance started on; else why nothing may be
    /// sent. A key rotated within the account is fine; keys of another account (a Secret edited meanwhile) are not.
    /// </summary>
    private async Task<ExecutionResult?> OtherAccountAsync(RebalanceRecord record, CancellationToken cancellationToken)
    {
        if (record.Account is not { } startedOn)
        {
            return null;
        }

        string? now;
        try
        {
            now = await exchange.GetAccountAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            return new ExecutionResult(
                ExecutionStatus.Waiting, record, time.GetUtcNow() + (e.RetryAfter ?? options.Retry), "exchange account unavailable: " + e.Message, Error: e.Kind);
        }

        if (now is null || string.Equals(now, startedOn, StringComparison.Ordinal))
        {
            return null;
        }

        return AccountChanged(
            ExecutionStatus.Waiting, record, record.FundUid, record.Sequence, startedOn, now,
            $"the {exchange.Name} credentials now reach account {now}, but rebalance {record.Sequence} trades on account {startedOn}: "
            + "its orders cannot be looked up there and would trade twice if resent; nothing is sent until the credentials of that account are back");
    }

    /// <summary>Nothing may go to the account the credentials reach now; asked again after minutes (a person must act).</summary>
    private ExecutionResult AccountChanged(
        ExecutionStatus status, RebalanceRecord? record, string fundUid, long sequence, string expected, string now, string message)
    {
        ExecutorLog.AccountChanged(logger, fundUid, sequence, expected, now);
        return new ExecutionResult(status, record, time.GetUtcNow() + options.MarketClosedRetry, message, Error: ExchangeErrorKind.AccountChanged);
    }

    private async Task<Step> DriveAsync(RebalanceRecord record, LegRecord leg, CancellationToken cancellationToken) =>
        leg.State == LegState.Sent
            ? await ResolveAsync(record, leg, cancellationToken).ConfigureAwait(false)
            : await SendAsync(record, leg, cancellationToken).ConfigureAwait(false);

    /// <summary>Records the attempt, then sends it; the record comes first so that a crash leaves a leg to look up.</summary>
    private async Task<Step> SendAsync(RebalanceRecord record, LegRecord leg, CancellationToken cancellationToken)
    {
        var planned = leg.Quantity;
        leg = RebalanceSteps.FitToBooks(record, leg);
        if (leg.Quantity != planned)
        {
            ExecutorLog.SellCut(logger, leg.ClientOrderId, planned, leg.Quantity, leg.Symbol);
        }

        if (RebalanceSteps.BelowMinimum(record.Inputs, leg) is { } why)
        {
            return new Step(await SaveLegAsync(record, leg with { State = LegState.Skipped, Reason = why }, cancellationToken).ConfigureAwait(false));
        }

        DateTimeOffset timestamp;
        try
        {
            timestamp = await exchange.GetTimeAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            return Wait(record, leg, e.RetryAfter ?? options.Retry, "exchange clock unavailable: " + e.Message, e.Kind);
        }

        if (WasSeen(leg))
        {
            // Never reached (a seen leg is only ever looked up); a resend would execute it twice and drop its fills.
            throw new InvalidOperationException($"leg {leg.ClientOrderId} was seen on the exchange and must not be sent again");
        }

        leg = leg with { State = LegState.Sent, Attempts = leg.Attempts + 1, SentAt = timestamp, Reason = null };
        record = await SaveLegAsync(record, leg, cancellationToken).ConfigureAwait(false);
        ExecutorLog.Sending(logger, leg.Side, leg.Quantity, leg.Symbol, leg.ClientOrderId, leg.Attempts);
        var started = time.GetTimestamp();
        OrderReport report;
        try
        {
            report = await exchange.PlaceMarketOrderAsync(
                new MarketOrder(leg.ClientOrderId, leg.Symbol, leg.Side, leg.Quantity, timestamp), cancellationToken).ConfigureAwait(false);
        }
        catch (ExchangeException e)
        {
            ObserveOrder(leg, started, e.MayHaveExecuted ? "unknown" : e.IsOrderRejection ? "rejected" : "retry_later");
            if (e.MayHaveExecuted)
            {
                ExecutorLog.OutcomeUnknown(logger, leg.ClientOrderId, e.Message);
                return await ResolveAsync(record, leg, cancellationToken).ConfigureAwait(false);
            }

            if (e.IsOrderRejection && leg.Attempts > 1)
            {
                // A resend was refused, but an earlier attempt may have executed (a look-up that lagged, or the very
                // execution that now makes the balance insufficient): look the leg up once more before failing it.
                return await ConfirmRejectionAsync(record, leg, e, cancellationToken).ConfigureAwait(false);
            }

            if (e.IsOrderRejection)
            {
                ExecutorLog.LegFailed(logger, leg.ClientOrderId, e.Message);
                return new Step(await SaveLegAsync(record, leg with { State = LegState.Failed, Reason = e.Message }, cancellationToken).ConfigureAwait(false));
            }

            // Refused as a whole (rate limit, ban, clock, credentials): nothing executed, so the leg is pending again.
            record = await SaveLegAsync(record, leg with { State = LegState.Pending, Reason = e.Message }, cancellationToken).ConfigureAwait(false);
            return Wait(record, leg, e.RetryAfter ?? (e.Kind == ExchangeErrorKind.InvalidTimestamp ? TimeSpan.Zero : options.Retry), e.Message, e.Kind);
        }

        ObserveOrder(
            leg,
            started,
            report.Status == OrderStatus.Filled ? "filled" : report.ExecutedQuantity > 0m ? "partial" : report.Status == OrderStatus.Open ? "open" : "rejected");
        return await AdoptAsync(record, leg, report, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A leg whose outcome is unknown: look it up by client order id. Found → adopt. Not found → resend with the
    /// same id, but only if the exchange clock, read <em>before</em> the look-up was sent, was already past the last
    /// attempt's acceptance window: the "not found" was decided somewhere between that reading and the answer, and
    /// until the window has passed the attempt may still arrive and execute. A leg the exchange already showed us (an
    /// order id or fills) is never resent: a "not found" for it is a failed look-up.
    /// </summary>
    private async Task<Step> ResolveAsync(RebalanceRecord record, LegRecord leg, CancellationToken cancellationToken)
    {
        OrderReport? found;
        DateTimeOffset before;
        try
        {
            before = await exchange.GetTimeAsync(cancellationToken).ConfigureAwait(false);
            found = await exchange.FindOrderAsync(leg.Symbol, leg.ClientOrderId, cancellationToken).ConfigureAwait(false);
            metrics.Lookups.WithLabels(exchange.Name, found is null ? "not_found" : "found").Inc();
        }
        catch (ExchangeException e)
        {
            metrics.Lookups.WithLabels(exchange.Name, "error").Inc();
            return Wait(record, leg, e.RetryAfter ?? options.Retry, "look-up failed: " + e.Message, e.Kind);
        }

        if (found is not null)
        {
            ExecutorLog.Adopted(logger, leg.ClientOrderId);
            return await AdoptAsync(record, leg, found, cancellationToken).ConfigureAwait(false);
        }

        if (WasSeen(leg))
        {
            return Wait(record, leg, options.Retry, "look-up failed: the exchange reported this order before but now says it does not exist; looking again");
        }

        var acceptableUntil = (leg.SentAt ?? DateTimeOffset.MinValue) + exchange.AcceptanceWindow;
        if (before <= acceptableUntil && exchange.AcceptanceWindow > TimeSpan.Zero)
        {
            return Wait(record, leg, acceptableUntil - before + TimeSpan.FromMilliseconds(1), "not found yet; the last attempt could still be accepted");
        }

        ExecutorLog.Resending(logger, leg.ClientOrderId);
        return await SendAsync(record, leg, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A resend was refused: adopt an earlier attempt if the exchange has it, else record the refusal.</summary>
    private async Task<Step> ConfirmRejectionAsync(RebalanceRecord record, LegRecord leg, ExchangeException rejection, CancellationToken cancellationToken)
    {
        OrderReport? found;
        try
        {
            found = await exchange.FindOrderAsync(leg.Symbol, leg.ClientOrderId, cancellationToken).ConfigureAwait(false);
            metrics.Lookups.WithLabels(exchange.Name, found is null ? "not_found" : "found").Inc();
        }
        catch (ExchangeException e)
        {
            // The leg stays Sent: the next call looks it up again (and resends only after the window, as always).
            metrics.Lookups.WithLabels(exchange.Name, "error").Inc();
            return Wait(record, leg, e.RetryAfter ?? options.Retry, "resend refused (" + rejection.Message + "); look-up failed: " + e.Message, e.Kind);
        }

        if (found is not null)
        {
            ExecutorLog.Adopted(logger, leg.ClientOrderId);
            return await AdoptAsync(record, leg, found, cancellationToken).ConfigureAwait(false);
        }

        ExecutorLog.LegFailed(logger, leg.ClientOrderId, rejection.Message);
        return new Step(await SaveLegAsync(record, leg with { State = LegState.Failed, Reason = rejection.Message }, cancellationToken).ConfigureAwait(false));
    }

    private static string? Mismatch(LegRecord leg, OrderReport report)
    {
        var sameQuantity = report.OriginalQuantity is not { } original || original == leg.Quantity;
        return string.Equals(report.ClientOrderId, leg.ClientOrderId, StringComparison.Ordinal)
               && string.Equals(report.Asset, leg.Symbol, StringComparison.Ordinal)
               && report.Side == leg.Side
               && sameQuantity
               && report.ExecutedQuantity <= leg.Quantity
            ? null
            : string.Create(
                CultureInfo.InvariantCulture,
                $"order {report.ClientOrderId} on the exchange does not match the leg ({report.Side} {report.OriginalQuantity?.ToString(CultureInfo.InvariantCulture) ?? "?"} {report.Asset}, executed {report.ExecutedQuantity}; the leg is {leg.Side} {leg.Quantity} {leg.Symbol}): not adopted, needs a person");
    }

    /// <summary>The exchange has shown us this order (its id or fills): it exists, whatever a later look-up says.</summary>
    private static bool WasSeen(LegRecord leg) => leg.ExchangeOrderId is not null || leg.Fills.Count > 0 || leg.ExecutedQuantity > 0m;

    private async Task<Step> AdoptAsync(RebalanceRecord record, LegRecord leg, OrderReport report, CancellationToken cancellationToken)
    {
        if (Mismatch(leg, report) is { } mismatch)
        {
            // An order under our client order id that is not the one we sent (another side or quantity): adopting it
            // would record someone else's trade, resending could trade twice. Leave the leg unresolved, loudly.
            ExecutorLog.LegFailed(logger, leg.ClientOrderId, mismatch);
            return Wait(record, leg, options.Retry, mismatch);
        }

        var seen = leg with { ExchangeOrderId = report.ExchangeOrderId, ExecutedQuantity = report.ExecutedQuantity, Fills = report.Fills };
        if (!report.IsFinal)
        {
            // Saved only when the exchange showed something new: polling an open order writes nothing.
            var changed = seen.ExchangeOrderId != leg.ExchangeOrderId || seen.ExecutedQuantity != leg.ExecutedQuantity || seen.Fills.Count != leg.Fills.Count;
            record = changed ? await SaveLegAsync(record, seen, cancellationToken).ConfigureAwait(false) : record;
            return Wait(record, seen, options.Poll, "order still open on the exchange");
        }

        leg = seen;

        leg = report.ExecutedQuantity > 0m
            ? leg with
            {
                State = LegState.Completed,
                Reason = report.ExecutedQuantity < leg.Quantity
                    ? string.Create(CultureInfo.InvariantCulture, $"partially filled: {report.ExecutedQuantity} of {leg.Quantity} ({report.Status})")
                    : null,
            }
            : leg with { State = LegState.Failed, Reason = $"nothing executed ({report.Status})" };
        ExecutorLog.Recorded(logger, leg.ClientOrderId, leg.State, leg.ExecutedQuantity, leg.Symbol, leg.Fills.Count);
        return new Step(await SaveLegAsync(record, leg, cancellationToken).ConfigureAwait(false));
    }

    private void ObserveOrder(LegRecord leg, long started, string outcome)
    {
        metrics.OrderDuration.WithLabels(exchange.Name).Observe(time.GetElapsedTime(started).TotalSeconds);
        metrics.Orders.WithLabels(exchange.Name, leg.Side == OrderSide.Buy ? "buy" : "sell", outcome).Inc();
    }

    private Step Wait(RebalanceRecord record, LegRecord leg, TimeSpan delay, string reason, ExchangeErrorKind? error = null)
    {
        var retryAt = time.GetUtcNow() + delay;
        ExecutorLog.Waiting(logger, leg.ClientOrderId, retryAt, reason);
        return new Step(record, new ExecutionResult(ExecutionStatus.Waiting, record, retryAt, reason, Error: error));
    }

    /// <summary>
    /// Records a leg's new state. On an exchange that keeps no orders (<see cref="IExchange.KeepsNoOrders"/>: paper) the
    /// record is only staged, and the save that ends the phase (or a wait) stores every leg of it at once: a paper fill
    /// exists only once stored, so one lost to a crash or a conflict never happened and is simply sent again, and
    /// recording each order before and after it is sent bought nothing but two status writes per order.
    /// </summary>
    private Task<RebalanceRecord> SaveLegAsync(RebalanceRecord record, LegRecord leg, CancellationToken cancellationToken)
    {
        var next = record.WithLeg(leg);
        if (!exchange.KeepsNoOrders)
        {
            return SaveAsync(next, cancellationToken);
        }

        journal.Stage(next);
        staged = true;
        return Task.FromResult(next);
    }

    private async Task<RebalanceRecord> SaveAsync(RebalanceRecord record, CancellationToken cancellationToken)
    {
        var next = record with { Revision = record.Revision + 1 };
        await journal.SaveAsync(next, cancellationToken).ConfigureAwait(false);
        staged = false;
        return next;
    }

    private sealed record Step(RebalanceRecord Record, ExecutionResult? Wait = null);
}
