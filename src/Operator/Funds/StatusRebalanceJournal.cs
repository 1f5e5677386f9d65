using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ExecutionRecord = CryptoIndex.Exchanges.Execution.RebalanceRecord;
using RebalanceView = CryptoIndex.Operator.Api.RebalanceRecord;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// The executor's journal on the IndexFund status subresource: the record is <c>status.execution</c>, and the same patch
/// updates the trades people read (<c>status.trades</c>, <c>status.rebalanceInProgress</c>), and the save that finishes the
/// rebalance the books its fills left (<see cref="FinishedBooks"/>). A save carries the
/// resourceVersion the record was loaded with, so it is durable and conditional: a stale operator (a leader
/// hand-over) gets a conflict and sends nothing. A conflict caused only by another status write (same record
/// revision) is retried on the fresh object.
/// </summary>
public sealed class StatusRebalanceJournal(IKubernetes client, string ns, string name, int historyLimit, TimeProvider? time = null) : IRebalanceJournal
{
    private readonly TimeProvider time = time ?? TimeProvider.System;

    /// <summary>Why the rebalance being started was decided; kept in its <c>status.rebalances</c> entry from then on.</summary>
    public string? StartReason { get; set; }

    /// <summary>
    /// The fund's status as the reconcile that starts a rebalance evaluated it (prices, allocations, the decision, the
    /// rebalance before): written with the new record, in the same conditional patch. Only the journal writes while a
    /// rebalance runs, and the reconcile that reports one may start the next, so without it a run of rebalances would
    /// leave those fields as they were before the run.
    /// </summary>
    public JsonObject? StartStatus { get; set; }

    /// <summary>
    /// The resourceVersion of the fund <see cref="StartStatus"/> was evaluated from. The save that carries it goes out
    /// only if the fund is still that version; else the rebalance is not started (nothing was sent) and the fund is
    /// evaluated again, so an evaluation from a lagging cache never overwrites a newer status.
    /// </summary>
    public string? StartStatusFrom { get; set; }

    /// <summary>
    /// Called once, just before the save that creates a new rebalance's record (the one that allows sending its orders),
    /// when that record is on a real exchange: adds the fund's finalizer (<see cref="RebalanceFinalizer"/>), returning
    /// the fund's new resourceVersion, or null when the fund changed meanwhile (nothing is saved or sent: the fund is
    /// evaluated again). Only then: a plan with no order large enough to send records nothing and needs no finalizer.
    /// </summary>
    public Func<CancellationToken, Task<string?>>? GuardStart { get; set; }

    /// <summary>
    /// The fund's metadata.generation this reconcile decided from (whether the rebalance may send, and where). A save
    /// that records a new attempt to send an order goes out only while the fund on the server is still that generation
    /// and not being deleted: a pause (spec.suspend, dryRun, an invalid or edited spec, a delete) applied after the
    /// reconcile read its copy (a lagging cache, or an edit while it ran) is not bypassed by the journal's conditional
    /// save, which would otherwise retry a conflict on the fresh object. Such a save throws
    /// <see cref="RebalanceConflictException"/>: nothing written, nothing sent, the fund is reconciled again. Null: not checked.
    /// </summary>
    public long? DecidedFromGeneration { get; set; }

    /// <summary>Whether <see cref="GuardStart"/> ran and the fund now holds its finalizer.</summary>
    public bool Guarded { get; private set; }

    /// <summary>Whether <see cref="StartStatus"/> went out, with the save that created the new rebalance's record.</summary>
    public bool StartStatusWritten { get; private set; }

    /// <summary>The Ready reason that save replaced, as on the server at the version the save was conditional on (not from a cache).</summary>
    public string? ReplacedReadyReason { get; private set; }

    /// <summary>
    /// The books of the rebalance this journal's save finished (<see cref="FinishedBooks"/>), written with that save;
    /// null until then. The fund's metrics are set from it, so a scrape agrees with the status that says it finished.
    /// </summary>
    public PortfolioValuation? FinishedValuation { get; private set; }

    /// <summary>
    /// Every number as a string: an API server decodes numbers in a schemaless object as float64, which would round
    /// money. Enums by name, so the record reads well in <c>kubectl get -o yaml</c>.
    /// </summary>
    internal static readonly JsonSerializerOptions RecordJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.WriteAsString | JsonNumberHandling.AllowReadingFromString,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Reason of the <c>Reconciling</c> condition while the exchange holds the rebalance up.</summary>
    public const string WaitingForExchange = "WaitingForExchange";

    private const int MaxAttempts = 5;
    private string? resourceVersion;
    private JsonObject? latest;
    private bool startInPatch;
    private PortfolioValuation? finishingBooks;
    private string? waiting;
    private (string Reason, string Message, DateTimeOffset At)? stalled;

    /// <summary>
    /// Set while the rebalance is paused (<see cref="RebalancePause"/>): a save that records a new attempt to send an order (a leg whose
    /// attempts went up: a first send or a resend) is refused with <see cref="OrdersHeldException"/> before anything is
    /// written, so the executor, which records every attempt before sending it, sends nothing. Saves of what the exchange
    /// reported for orders already sent (fills, a final state) and of the plan itself go through. The conditions say
    /// the rebalance is paused (<see cref="RebalancePause"/>).
    /// </summary>
    public RebalancePause? Pause { get; set; }

    private string? pauseNote;

    /// <summary>The Reconciling reason of the fund as this journal first read it (before this reconcile wrote anything).</summary>
    private string? firstReconcilingReason;
    private bool read;

    /// <summary>The record as last loaded or saved by this journal: the fund's ledger during a rebalance.</summary>
    public ExecutionRecord? Last { get; private set; }

    /// <summary>
    /// The fund's resourceVersion as this journal last read or wrote it; null when a save's outcome is unknown (it may
    /// have been applied). After a save that met a conflict it is the version read again, which may be newer than the
    /// one <see cref="Last"/> came from: a removal of the finalizer judged from <see cref="Last"/> is then made on a
    /// fund being deleted, where no save that would send an order is accepted any more.
    /// </summary>
    public string? KnownResourceVersion => Known() is null ? null : resourceVersion;

    /// <summary>
    /// The record the executor staged since the last save (<see cref="Stage"/>: a paper rebalance's fills within a
    /// phase), not stored yet.
    /// </summary>
    private ExecutionRecord? staged;

    /// <summary>
    /// The holdings the record's fills produced so far (a staged record's included: the ledger a paper order is checked
    /// against), or <paramref name="fallback"/> before any record.
    /// </summary>
    public Holdings CurrentHoldings(Holdings fallback) =>
        (staged ?? Last)?.Holdings() is { IsSuccess: true } ledger ? ledger.Value : fallback;

    public void Stage(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        staged = record;
    }

    /// <summary>
    /// Starts from the fund as the controller's cache has it, instead of reading it from the server: a record that
    /// says no rebalance is in progress (the state of nearly every fund at nearly every refresh) is taken from it.
    /// Every write is conditional on that version, so a lagging cache costs a conflict and a requeue, never a lost or
    /// doubled order; a rebalance in progress is still read from the server, where its latest save is. A GET of every
    /// fund at every refresh was half of what a fund cost the API server.
    /// </summary>
    public void StartFrom(JsonObject cached)
    {
        ArgumentNullException.ThrowIfNull(cached);
        var record = cached["status"]?["execution"]?.Deserialize<ExecutionRecord>(RecordJson);
        if (record is { Phase: not RebalancePhase.Done })
        {
            return;
        }

        Remember(cached);
        resourceVersion = (string?)cached["metadata"]?["resourceVersion"];
        startedFrom = (cached, record);
    }

    /// <summary>The fund <see cref="StartFrom"/> took, with its record as read there: loaded from it, not read twice.</summary>
    private (JsonObject Fund, ExecutionRecord? Record)? startedFrom;

    public async Task<ExecutionRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken)
    {
        staged = null;
        if (Known() is { } fund)
        {
            Last = startedFrom is { } start && ReferenceEquals(start.Fund, fund)
                ? start.Record
                : fund["status"]?["execution"]?.Deserialize<ExecutionRecord>(RecordJson);
            return Last;
        }

        var (record, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
        resourceVersion = version;
        Last = record;
        return record;
    }

    public async Task SaveAsync(ExecutionRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Pause is { } pause && NewAttempts(Last, record) is { Count: > 0 } held)
        {
            // A leg sent before the pause that is sent again: the executor resends only an order the exchange still
            // does not know once that attempt can no longer arrive, so it was never received. Left Sent, it would be
            // looked up for as long as the pause lasts (a deleted fund would wait for it forever); it is recorded as
            // what it is, not sent, and a resume sends it as it would any pending leg, with the same client order id.
            if (Last is { } last && last.Legs.Where(l => l.State == LegState.Sent && held.Any(h => h.Leg == l.Leg)).ToList() is { Count: > 0 } neverReceived)
            {
                var unsent = neverReceived.Aggregate(last, (r, l) => r.WithLeg(l with
                {
                    State = LegState.Pending,
                    Reason = $"never received by the exchange (not found once it could no longer arrive); not sent again while paused by {pause.Setting}",
                }));
                await SaveAsync(unsent with { Revision = record.Revision }, cancellationToken).ConfigureAwait(false);
            }

            throw new OrdersHeldException(
                $"fund {ns}/{name}: rebalance {record.Sequence} is paused by {pause.Setting}; {string.Join(", ", held.Select(l => l.ClientOrderId))} not sent");
        }

        if (GuardStart is { } guard && !Guarded && (Last?.Sequence ?? 0) < record.Sequence && RebalanceFinalizer.Guards(record.Exchange))
        {
            // Only the finalizer changed since the evaluation (the patch is conditional on that version), so the
            // evaluation still stands on the new version, and this save is conditional on it.
            var added = await guard(cancellationToken).ConfigureAwait(false)
                ?? throw new RebalanceConflictException($"fund {ns}/{name} changed while rebalance {record.Sequence} was being started; it is evaluated again");
            Guarded = true;
            resourceVersion = added;
            StartStatusFrom = added;
        }

        waiting = null; // what held the rebalance up stays reported until its progress changes (see Conditions)
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                var patch = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
                    ["status"] = await StatusPatchAsync(record, cancellationToken).ConfigureAwait(false),
                };
                latest = null; // a save that fails without an answer may have been applied: read the fund again after it
                var updated = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<JsonObject>(
                    new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), IndexFund.Group, IndexFund.Version, ns, IndexFund.Plural, name,
                    fieldManager: "cryptoindex-operator", cancellationToken: cancellationToken).ConfigureAwait(false);
                resourceVersion = (string?)updated["metadata"]?["resourceVersion"];
                latest = updated;
                Last = record;
                staged = null;
                FinishedValuation = finishingBooks ?? FinishedValuation;
                if (startInPatch)
                {
                    StartStatusWritten = true;
                    StartStatus = null; // written; later saves build on what is stored
                    startInPatch = false;
                }

                return;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                if (startInPatch)
                {
                    // The fund changed after it was evaluated: its evaluation must not overwrite the change. Nothing
                    // was sent (this save records the rebalance before any order), so evaluate again.
                    throw new RebalanceConflictException($"fund {ns}/{name} changed while rebalance {record.Sequence} was being started; it is evaluated again");
                }

                var (stored, version) = await ReadAsync(cancellationToken).ConfigureAwait(false);
                if ((stored?.Revision ?? 0) != record.Revision - 1)
                {
                    throw new RebalanceConflictException(
                        $"fund {ns}/{name}: rebalance record revision {record.Revision} does not follow the stored revision {stored?.Revision ?? 0}");
                }

                resourceVersion = version;
            }
        }

        throw new RebalanceConflictException($"fund {ns}/{name}: the status kept changing; the record was not saved");
    }

    /// <summary>
    /// Says in the <c>Reconciling</c> condition why the rebalance in progress waits (until the rebalance makes
    /// progress). Returns whether the condition changed. Only over the record this journal saved last, and conditional
    /// on the object it read: on a newer record or a conflict it writes nothing.
    /// </summary>
    /// <param name="reason">What the exchange said, for the condition's message.</param>
    /// <param name="cancellationToken">Cancels the read and the patch.</param>
    /// <param name="stall">
    /// When only a person can unblock it (keys refused), also <c>Ready=False</c> and <c>Stalled=True</c> with this
    /// reason and message; written with the record, never from a stale copy.
    /// </param>
    /// <param name="now">When the stall was observed (its conditions' transition time).</param>
    public async Task<bool> ReportWaitingAsync(
        string reason, CancellationToken cancellationToken, (string Reason, string Message)? stall = null, DateTimeOffset? now = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        if (Last is not { Phase: not RebalancePhase.Done } record)
        {
            return false;
        }

        waiting = reason;
        stalled = stall is { } st ? (st.Reason, st.Message, now ?? record.StartedAt) : null;
        return await WriteConditionsAsync(record, cancellationToken).ConfigureAwait(false) == true;
    }

    /// <summary>
    /// Says in the <c>Ready</c> and <c>Reconciling</c> conditions that the rebalance in progress is paused by
    /// <see cref="Pause"/> (which must be set): how many orders were not sent, the orders sent before the pause that are
    /// still looked up (<paramref name="lookingUp"/>: what the exchange answered), how to continue. Returns Ready's new
    /// message when the fund, as this journal first read it, was not reported paused so (news for an Event), else null.
    /// Written only over the record this journal saved last, and conditional on the object it read.
    /// </summary>
    public async Task<string?> ReportPausedAsync(string? lookingUp, CancellationToken cancellationToken)
    {
        var pause = Pause ?? throw new InvalidOperationException("the rebalance is not paused");
        if (Last is not { Phase: not RebalancePhase.Done } record)
        {
            return null;
        }

        waiting = null;
        stalled = null;
        pauseNote = lookingUp;
        // Saves of this reconcile (fills of orders sent before the pause) may have written the paused conditions already.
        var current = await WriteConditionsAsync(record, cancellationToken).ConfigureAwait(false);
        return current is not null && firstReconcilingReason != pause.Reason
            ? pause.Prefix + $"rebalance {record.Sequence} " + pause.Describe(record, lookingUp)
            : null;
    }

    /// <summary>
    /// The conditions of a rebalance that continues after a pause (<see cref="Pause"/> not set): no longer
    /// <c>Suspended</c> or <c>DryRun</c>. Returns whether they changed.
    /// </summary>
    public async Task<bool> ReportResumedAsync(CancellationToken cancellationToken)
    {
        if (Pause is not null || Last is not { Phase: not RebalancePhase.Done } record)
        {
            return false;
        }

        waiting = null;
        stalled = null;
        return await WriteConditionsAsync(record, cancellationToken).ConfigureAwait(false) == true;
    }

    /// <summary>
    /// Writes the conditions for <paramref name="record"/> if the stored record is still it. True when they were written,
    /// false when they already were so, null when nothing could be written (a newer record, a conflict).
    /// </summary>
    private async Task<bool?> WriteConditionsAsync(ExecutionRecord record, CancellationToken cancellationToken)
    {
        var fund = await FundAsync(cancellationToken).ConfigureAwait(false);
        if (fund["status"]?["execution"]?.Deserialize<ExecutionRecord>(RecordJson) is not { } stored || stored.Sequence != record.Sequence || stored.Revision != record.Revision)
        {
            return null; // someone moved the record on (a leader hand-over): its own saves report it
        }

        var desired = new JsonObject { ["conditions"] = Conditions(fund, record) };
        if (Pause is not null && Generation(fund) == (long?)fund["metadata"]?["generation"])
        {
            // The pause is this generation's answer (its spec.suspend or spec.dryRun): GitOps health checks wait for it.
            // A spec edited since the reconcile decided is not observed yet: its own reconcile will say.
            desired["observedGeneration"] = Generation(fund);
        }

        var status = Replacing(fund["status"] as JsonObject, desired);
        if (status.Count == 0)
        {
            return false;
        }

        try
        {
            var patch = new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = (string?)fund["metadata"]?["resourceVersion"] }, ["status"] = status };
            latest = null;
            var updated = await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<JsonObject>(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), IndexFund.Group, IndexFund.Version, ns, IndexFund.Plural, name,
                fieldManager: "cryptoindex-operator", cancellationToken: cancellationToken).ConfigureAwait(false);
            resourceVersion = (string?)updated["metadata"]?["resourceVersion"];
            latest = updated;
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    /// <summary>
    /// The generation the conditions this journal writes answer: the one its reconcile decided from, not a newer one
    /// the fund was edited to since (read here, but not evaluated yet).
    /// </summary>
    private long? Generation(JsonObject fund) => DecidedFromGeneration ?? (long?)fund["metadata"]?["generation"];

    /// <summary>The legs of <paramref name="record"/> with more attempts than in <paramref name="last"/>: orders about to be sent.</summary>
    private static List<LegRecord> NewAttempts(ExecutionRecord? last, ExecutionRecord record) =>
        record.Legs.Where(l => l.Attempts > (last?.Legs.FirstOrDefault(p => p.Leg == l.Leg)?.Attempts ?? 0)).ToList();

    /// <summary>
    /// The fund as this journal last read or wrote it, while its later writes are still conditional on that version
    /// (else null). Building on it is as safe as reading the fund again: a change by anyone since makes the write a
    /// conflict, after which the fund is read again. Reading it before every save doubled a rebalance's API requests.
    /// </summary>
    private JsonObject? Known() =>
        latest is { } fund && resourceVersion is not null && (string?)fund["metadata"]?["resourceVersion"] == resourceVersion ? fund : null;

    /// <summary>Keeps the fund as read (the first read also tells the Reconciling reason before this reconcile wrote anything).</summary>
    private void Remember(JsonObject fund)
    {
        latest = fund;
        if (!read)
        {
            read = true;
            firstReconcilingReason = (string?)(fund["status"]?["conditions"] as JsonArray)?.FirstOrDefault(c => (string?)c?["type"] == FundConditions.Reconciling)?["reason"];
        }
    }

    private async Task<JsonObject> FundAsync(CancellationToken cancellationToken) =>
        Known() ?? await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
            IndexFund.Group, IndexFund.Version, ns, IndexFund.Plural, name, cancellationToken).ConfigureAwait(false);

    private async Task<(ExecutionRecord? Record, string? ResourceVersion)> ReadAsync(CancellationToken cancellationToken)
    {
        var fund = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(
            IndexFund.Group, IndexFund.Version, ns, IndexFund.Plural, name, cancellationToken).ConfigureAwait(false);
        Remember(fund);
        var execution = fund["status"]?["execution"];
        return (execution?.Deserialize<ExecutionRecord>(RecordJson), (string?)fund["metadata"]?["resourceVersion"]);
    }

    /// <summary>The record, plus the trades and the rebalance in progress as people read them.</summary>
    private async Task<JsonObject> StatusPatchAsync(ExecutionRecord record, CancellationToken cancellationToken)
    {
        var fund = await FundAsync(cancellationToken).ConfigureAwait(false);
        if (DecidedFromGeneration is { } decided && NewAttempts(Last, record) is { Count: > 0 } sending
            && ((long?)fund["metadata"]?["generation"] != decided || fund["metadata"]?["deletionTimestamp"] is not null))
        {
            throw new RebalanceConflictException(
                $"fund {ns}/{name} changed (its spec, or its deletion) since this reconcile decided to send {string.Join(", ", sending.Select(l => l.ClientOrderId))}; not sent, the fund is reconciled again");
        }

        var existing = fund["status"]?["trades"]?.Deserialize<List<TradeRecord>>(ApiJson.Options) ?? [];
        var rebalanceId = record.Sequence.ToString(CultureInfo.InvariantCulture);
        var trades = record.Legs.Select(l => Trade(l, rebalanceId))
            .Concat(existing.Where(t => t.RebalanceId != rebalanceId))
            .Take(historyLimit)
            .ToList();
        var progress = record.Phase == RebalancePhase.Done
            ? null
            : new RebalanceView { Id = rebalanceId, Sequence = record.Sequence, StartedAt = StatusText.Time(record.StartedAt), Phase = record.Phase.ToString() };
        var history = fund["status"]?["rebalances"]?.Deserialize<List<RebalanceView>>(ApiJson.Options) ?? [];
        var entry = history.FirstOrDefault(r => r.Id == rebalanceId);
        var summary = Summary(record, rebalanceId, entry?.Reason ?? StartReason);
        summary.Exchange = entry?.Exchange ?? record.Venue;
        // A real rebalance supersedes the plan a dry run left (the fund trades now).
        var rebalances = history.Where(r => r.Id != rebalanceId && r.Id != DryRunPlan.Id).Prepend(summary).Take(historyLimit).ToList();
        // The evaluated status goes only with the save that creates the record: never into a rebalance another
        // instance started meanwhile.
        var stored = fund["status"]?["execution"]?.Deserialize<ExecutionRecord>(RecordJson);
        startInPatch = StartStatus is not null && (stored?.Sequence ?? 0) < record.Sequence;
        if (startInPatch && StartStatusFrom is { } evaluatedFrom && (string?)fund["metadata"]?["resourceVersion"] != evaluatedFrom)
        {
            throw new RebalanceConflictException($"fund {ns}/{name} changed since it was evaluated; rebalance {record.Sequence} is not started, the fund is evaluated again");
        }

        if (startInPatch)
        {
            ReplacedReadyReason = (string?)(fund["status"]?["conditions"]?.AsArray() ?? []).FirstOrDefault(c => (string?)c?["type"] == FundConditions.Ready)?["reason"];
        }

        var desired = new JsonObject
        {
            ["conditions"] = Conditions(fund, record),
            ["execution"] = JsonSerializer.SerializeToNode(record, RecordJson),
            ["trades"] = JsonSerializer.SerializeToNode(trades, ApiJson.Options),
            ["rebalances"] = JsonSerializer.SerializeToNode(rebalances, ApiJson.Options),
            ["rebalanceInProgress"] = progress is null ? null : JsonSerializer.SerializeToNode(progress, ApiJson.Options),
        };
        // The save that finishes the rebalance also writes the books its fills left: a status that says Completed never
        // shows the cash, NAV and allocations from before them (the next evaluation would write them only later).
        finishingBooks = record.Phase == RebalancePhase.Done ? FinishedBooks.Value(record) : null;
        if (finishingBooks is not null)
        {
            foreach (var (field, value) in FinishedBooks.Fields(finishingBooks, record, summary.Reason, fund["status"]))
            {
                desired[field] = value?.DeepClone();
            }
        }

        if (startInPatch)
        {
            foreach (var (field, value) in StartStatus!)
            {
                desired.TryAdd(field, value?.DeepClone());
            }
        }

        return Replacing(fund["status"] as JsonObject, desired);
    }

    /// <summary>
    /// A merge patch that makes each of <paramref name="desired"/>'s fields exactly that value. A plain merge patch
    /// would keep keys the new value no longer has (an asset sold out of the holdings, a constituent gone from the
    /// targets), so removed keys are patched to null.
    /// </summary>
    private static JsonObject Replacing(JsonObject? current, JsonObject desired)
    {
        var patch = new JsonObject();
        foreach (var (name, value) in desired)
        {
            var old = current?[name];
            if (value is null)
            {
                if (old is not null)
                {
                    patch[name] = null;
                }

                continue;
            }

            if (Runtime.Status.JsonMergePatch.Diff(old, value) is { } change)
            {
                patch[name] = change;
            }
        }

        return patch;
    }

    /// <summary>
    /// The fund's conditions with <c>Reconciling=True</c> while the rebalance runs (kstatus: work in progress) and
    /// without it once done. Its transition time is the rebalance's start, so every save of one rebalance writes the same.
    /// </summary>
    private JsonArray Conditions(JsonObject fund, ExecutionRecord record)
    {
        // A rebalance being started takes the conditions its reconcile just evaluated (Ready says why it started).
        var existing = ((startInPatch ? StartStatus?["conditions"] : null) ?? fund["status"]?["conditions"])?.AsArray().ToList() ?? [];
        var wasPaused = RebalancePause.IsPauseReason(
            (string?)(fund["status"]?["conditions"]?.AsArray() ?? []).FirstOrDefault(c => (string?)c?["type"] == FundConditions.Reconciling)?["reason"]);
        var generation = Generation(fund) ?? 0;
        var progress = string.Create(CultureInfo.InvariantCulture, $"rebalance {record.Sequence}: {record.Phase}, {record.Legs.Count(l => l.State == LegState.Completed)} of {record.Legs.Count} orders completed");
        // Ready is this journal's to write while the rebalance is paused, and once more when it resumes (else it would
        // still say paused until the rebalance finishes and the fund is evaluated again).
        (string Status, string Reason, string Message)? ready =
            stalled is { } stall ? ("False", stall.Reason, stall.Message)
            : Pause is { } pause ? (pause.ReadyStatus, pause.Reason, pause.Prefix + $"rebalance {record.Sequence} " + pause.Describe(record, pauseNote))
            : wasPaused ? ("False", FundEvaluator.RebalanceNeeded, progress + "; resumed: spec.suspend and spec.dryRun are false, the spec is valid and spec.exchange names its account, its orders are sent as planned when it started")
            : null;
        var replaced = stalled is not null || Pause is { Stalls: true } ? new[] { FundConditions.Reconciling, FundConditions.Ready, FundConditions.Stalled }
            : ready is not null ? [FundConditions.Reconciling, FundConditions.Ready]
            : [FundConditions.Reconciling];
        // A Stalled condition a pause wrote (an invalid spec) goes with the pause.
        var conditions = new JsonArray(existing
            .Where(c => !replaced.Contains((string?)c?["type"]))
            .Where(c => ready is null || (string?)c?["type"] != FundConditions.Stalled || !RebalancePause.IsPauseReason((string?)c?["reason"]))
            .Select(c => c?.DeepClone()).ToArray());
        if (ready is { } r)
        {
            var previous = existing.Select(c => c.Deserialize<FundCondition>(ApiJson.Options)!).ToList();
            var at = stalled?.At ?? time.GetUtcNow();
            conditions.Insert(0, JsonSerializer.SerializeToNode(FundConditions.Set(previous, FundConditions.Ready, r.Status, r.Reason, r.Message, generation, at), ApiJson.Options));
            if (stalled is not null || Pause is { Stalls: true })
            {
                conditions.Add(JsonSerializer.SerializeToNode(FundConditions.Set(previous, FundConditions.Stalled, "True", r.Reason, r.Message, generation, at), ApiJson.Options));
            }
        }

        if (record.Phase != RebalancePhase.Done && Pause is { } paused)
        {
            conditions.Add(JsonSerializer.SerializeToNode(PausedCondition(record, paused, pauseNote, generation), ApiJson.Options));
        }
        else if (record.Phase != RebalancePhase.Done)
        {
            var previous = (fund["status"]?["conditions"]?.AsArray() ?? []).FirstOrDefault(c => (string?)c?["type"] == FundConditions.Reconciling);
            var stillWaiting = waiting is null && (string?)previous?["reason"] == WaitingForExchange
                && ((string?)previous?["message"])?.StartsWith(progress + "; ", StringComparison.Ordinal) == true;
            if (stillWaiting)
            {
                // No progress since the wait was reported (a resend's own saves): keep saying why, do not flap.
                conditions.Add(previous!.DeepClone());
                return conditions;
            }

            conditions.Add(JsonSerializer.SerializeToNode(
                new FundCondition
                {
                    Type = FundConditions.Reconciling,
                    Status = "True",
                    Reason = waiting is null ? "RebalanceInProgress" : WaitingForExchange,
                    Message = progress + (waiting is null ? string.Empty : "; waiting for the exchange: " + waiting),
                    ObservedGeneration = generation,
                    LastTransitionTime = StatusText.Time(record.StartedAt),
                },
                ApiJson.Options));
        }

        return conditions;
    }

    /// <summary>
    /// <c>Reconciling=True</c> of a rebalance in progress paused by <paramref name="pause"/>: its progress, the orders not
    /// sent, those sent before the pause still looked up (<paramref name="lookingUp"/>: why they are not resolved yet).
    /// </summary>
    public static FundCondition PausedCondition(ExecutionRecord record, RebalancePause pause, string? lookingUp, long generation)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pause);
        return new FundCondition
        {
            Type = FundConditions.Reconciling,
            Status = "True",
            Reason = pause.Reason,
            Message = string.Create(CultureInfo.InvariantCulture, $"rebalance {record.Sequence}: {record.Phase}, {record.Legs.Count(l => l.State == LegState.Completed)} of {record.Legs.Count} orders completed")
                + "; " + pause.Describe(record, lookingUp),
            ObservedGeneration = generation,
            LastTransitionTime = StatusText.Time(record.StartedAt),
        };
    }

    /// <summary>
    /// One line of rebalance history: phase (Completed, or Failed when an order failed, once done), turnover and fees from the fills. Fees are
    /// what the fund paid: a commission the account paid in BNB is valued 0 (it shows per trade, with its feeAsset).
    /// </summary>
    private static RebalanceView Summary(ExecutionRecord record, string rebalanceId, string? reason)
    {
        var fills = record.Legs.SelectMany(l => l.Fills).ToList();
        // An order not sent (no longer needed once the buys were resized, or below the exchange's minimums) is not a
        // failure: only one the exchange refused or left unexecuted is, as in cryptoindex_fund_rebalances_total.
        var failed = record.Legs.Count(l => l.State == LegState.Failed);
        var completed = record.Legs.Count(l => l.State == LegState.Completed);
        return new RebalanceView
        {
            Id = rebalanceId,
            Sequence = record.Sequence,
            StartedAt = StatusText.Time(record.StartedAt),
            CompletedAt = record.FinishedAt is { } finished ? StatusText.Time(finished) : null,
            Reason = reason,
            Phase = record.Phase != RebalancePhase.Done ? record.Phase.ToString() : failed > 0 ? "Failed" : "Completed",
            Turnover = StatusText.Money(fills.Sum(f => f.Quantity * f.Price)),
            Fees = StatusText.Money(fills.Sum(f => f.FeeValue)),
            Message = string.Create(CultureInfo.InvariantCulture, $"{completed} of {record.Legs.Count} orders completed")
                + StatusText.NotSent(record.Dropped),
        };
    }

    private static TradeRecord Trade(LegRecord leg, string rebalanceId)
    {
        var executed = leg.Fills.Sum(f => f.Quantity);
        var price = executed > 0m ? leg.Fills.Sum(f => f.Quantity * f.Price) / executed : leg.ReferencePrice;
        var fees = FeesByAsset(leg);
        return new TradeRecord
        {
            Id = leg.ClientOrderId,
            RebalanceId = rebalanceId,
            Time = leg.SentAt is { } sent ? StatusText.Time(sent) : null,
            Symbol = leg.Symbol,
            Side = leg.Side.ToString(),
            Quantity = StatusText.Quantity(executed > 0m ? executed : leg.Quantity),
            Price = StatusText.Price(price),
            Fee = fees.Count > 0 ? string.Join(", ", fees.Select(f => StatusText.Quantity(f.Amount))) : null,
            FeeAsset = fees.Count > 0 ? string.Join(", ", fees.Select(f => f.Asset)) : null,
            Status = leg.State switch
            {
                LegState.Completed => "Completed",
                LegState.Failed => "Failed",
                LegState.Skipped => "Skipped",
                _ => "Pending",
            },
            Message = leg.State == LegState.Skipped ? "not sent: " + leg.Reason : leg.Reason,
        };
    }

    /// <summary>
    /// The leg's commissions summed per asset, in the order first charged: the asset itself, "quote", or the asset the
    /// account paid outside the fund (BNB). Almost always one; an order that ran out of BNB midway has two, listed
    /// pairwise ("0.0001, 0.00002" / "BTC, BNB") rather than added across assets.
    /// </summary>
    private static List<(string Asset, decimal Amount)> FeesByAsset(LegRecord leg) =>
        leg.Fills
            .GroupBy(f => f.FeeCurrency switch
            {
                Engine.Ledger.FeeCurrency.Base => leg.Symbol,
                Engine.Ledger.FeeCurrency.Quote => "quote",
                _ => f.FeeAsset ?? "external",
            }, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(f => f.Fee)))
            .ToList();
}
