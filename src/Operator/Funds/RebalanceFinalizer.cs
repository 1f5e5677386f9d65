using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Api;
using k8s;
using k8s.Autorest;
using k8s.Models;
using ExecutionRecord = CryptoIndex.Exchanges.Execution.RebalanceRecord;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// The finalizer that keeps a fund whose rebalance trades on a real exchange from being deleted while that rebalance is
/// in progress: the record of orders sent whose outcome is not known yet is <c>status.execution</c>, and it would go with
/// the object. Added before the rebalance's first order is sent (before the record that allows sending is written);
/// removed once the rebalance is over, or, when the fund is deleted, once every order sent is resolved and an Event has
/// told the rebalance's final record. Paper funds never get it: nothing outside the cluster holds their orders.
/// </summary>
internal sealed class RebalanceFinalizer(IKubernetes client)
{
    public const string Name = "cryptoindex.io/rebalance-in-progress";

    /// <summary>Reason of the Event telling the rebalance's final record when a fund is deleted.</summary>
    public const string DeletedReason = "RebalanceClosedByDelete";

    /// <summary>Whether a rebalance on this exchange (the record's <see cref="ExecutionRecord.Exchange"/>) sends real orders.</summary>
    public static bool Guards(string exchange) => exchange != "paper";

    /// <summary>Whether the record is a rebalance in progress that sends real orders.</summary>
    public static bool Guards(ExecutionRecord? record) => record is { Phase: not RebalancePhase.Done } && Guards(record.Exchange);

    /// <summary>
    /// The fund controller's event filter: <paramref name="inner"/>, except for updates that only add or remove this
    /// finalizer. The operator writes it itself, in the reconcile that starts or finishes a rebalance; a reconcile
    /// triggered by that write would come right after, ahead of the executor's retry time (a resend during a ban).
    /// </summary>
    public static Func<CacheEvent, bool> Predicate(Func<CacheEvent, bool> inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        return e => inner(e) && !OnlyThisChanged(e);
    }

    private static bool OnlyThisChanged(CacheEvent e) =>
        e is { Type: CacheEventType.Updated, Old: { } old }
        && old.Generation == e.New.Generation
        && old.IsDeleting == e.New.IsDeleting
        && old.Annotation(FundReconciler.RequestedAtAnnotation) == e.New.Annotation(FundReconciler.RequestedAtAnnotation)
        && old.Finalizers.Contains(Name) != e.New.Finalizers.Contains(Name)
        && old.Finalizers.Where(f => f != Name).SequenceEqual(e.New.Finalizers.Where(f => f != Name), StringComparer.Ordinal);

    /// <summary>Whether the record is a rebalance in progress with orders sent whose outcome is not known yet.</summary>
    public static bool AwaitsOrders(ExecutionRecord? record) =>
        record is { Phase: not RebalancePhase.Done } && record.Legs.Any(l => l.State == LegState.Sent);

    /// <summary>
    /// Adds the finalizer, conditional on the version read (a merge patch replaces the whole list, so it must not go
    /// over a list changed meanwhile). Returns the fund's new resourceVersion, or null on a conflict (read again).
    /// </summary>
    public async Task<string?> AddAsync(Runtime.KubeObject fund, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = fund.ResourceVersion,
                ["finalizers"] = new JsonArray([.. fund.Finalizers.Append(Name).Select(f => (JsonNode)JsonValue.Create(f))]),
            },
        };
        return await PatchAsync(fund.Key, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes the finalizer with a JSON patch that first tests the fund is still the version the removal was judged
    /// from (<paramref name="resourceVersion"/>: no rebalance in progress holds orders there) and the list is still the
    /// one read. A cached copy that lags behind a rebalance started since, or another controller's finalizer added or
    /// removed meanwhile, fails the patch (read again) instead of letting go of orders sent or dropping or restoring
    /// that finalizer. Returns false when the patch failed so. <paramref name="finalizers"/>: the list at that version,
    /// with this finalizer.
    /// </summary>
    public async Task<bool> RemoveAsync(Runtime.ObjectKey fund, string resourceVersion, IReadOnlyList<string> finalizers, CancellationToken cancellationToken)
    {
        static JsonArray List(IEnumerable<string> names) => new([.. names.Select(f => (JsonNode)JsonValue.Create(f))]);
        var patch = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = resourceVersion },
            new JsonObject { ["op"] = "test", ["path"] = "/metadata/finalizers", ["value"] = List(finalizers) },
            new JsonObject { ["op"] = "replace", ["path"] = "/metadata/finalizers", ["value"] = List(finalizers.Where(f => f != Name)) });
        return await PatchAsync(fund, new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// The Event told when a deleted fund lets go: the rebalance's final record, so the fills of orders resolved after
    /// the delete are kept somewhere once the status is gone. Holdings stay in the exchange account.
    /// </summary>
    public static string Summary(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        static string Side(LegRecord l) => l.Side == Engine.Planning.OrderSide.Sell ? "sell" : "buy";
        var filled = record.Legs.Where(l => l.Fills.Count > 0 || l.ExecutedQuantity > 0m).OrderBy(l => l.Leg).Select(l =>
        {
            var filledQuantity = l.Fills.Sum(f => f.Quantity);
            var quantity = filledQuantity > 0m ? filledQuantity : l.ExecutedQuantity;
            var price = filledQuantity > 0m ? l.Fills.Sum(f => f.Quantity * f.Price) / filledQuantity : l.ReferencePrice;
            return string.Create(CultureInfo.InvariantCulture, $"{Side(l)} {StatusText.Quantity(quantity)} {l.Symbol} at {StatusText.Price(price)} ({l.ClientOrderId})");
        }).ToList();
        var failed = record.Legs.Where(l => l.State == LegState.Failed).Select(l => $"{Side(l)} {l.Symbol} ({l.ClientOrderId}: {l.Reason})").ToList();
        var notSent = record.Legs.Where(l => l.State is LegState.Pending or LegState.Skipped).Select(l => $"{Side(l)} {l.Symbol}").ToList();
        var text = string.Create(CultureInfo.InvariantCulture, $"fund deleted; rebalance {record.Sequence} ({record.Exchange}, started {StatusText.Time(record.StartedAt)}) ")
            + (record.Phase == RebalancePhase.Done ? "finished" : "stopped")
            + string.Create(CultureInfo.InvariantCulture, $": {filled.Count} of {record.Legs.Count} orders filled")
            + (filled.Count > 0 ? " (" + string.Join(", ", filled) + ")" : string.Empty)
            + (failed.Count > 0 ? "; failed: " + string.Join(", ", failed) : string.Empty)
            + (notSent.Count > 0 ? "; not sent: " + string.Join(", ", notSent) : string.Empty)
            + "; the holdings stay in the exchange account";
        return text;
    }

    /// <summary>
    /// Why a deleted fund's deletion waits, appended to the condition and Warning that say what keeps its orders sent
    /// from being looked up (the exchange switched off, its Secret unreadable, its keys refused): which orders, and how
    /// a person lets it go anyway (docs/operations.md, "Deleting a fund").
    /// </summary>
    public static string DeletionWaits(string ns, string fund, ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var sent = record.Legs.Where(l => l.State == LegState.Sent).Select(l => l.ClientOrderId).ToList();
        return string.Create(CultureInfo.InvariantCulture, $"; the fund's deletion waits (finalizer {Name}) until its {(sent.Count == 1 ? "order" : "orders")} sent {string.Join(", ", sent)} ")
            + $"{(sent.Count == 1 ? "is" : "are")} looked up, which resumes by itself once this is fixed. To delete it anyway, look {(sent.Count == 1 ? "it" : "them")} up on the exchange by client order id "
            + "(once the fund is gone, a fill is recorded nowhere but in the exchange account) and remove the finalizers (another controller's too): "
            + $"kubectl patch ifund {fund} -n {ns} --type=json -p '[{{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}}]'";
    }

    private async Task<string?> PatchAsync(Runtime.ObjectKey fund, V1Patch patch, CancellationToken cancellationToken)
    {
        try
        {
            var updated = await client.CustomObjects.PatchNamespacedCustomObjectAsync<JsonObject>(
                patch, IndexFund.Group, IndexFund.Version, fund.Namespace ?? "default", IndexFund.Plural, fund.Name,
                fieldManager: FundReconciler.FieldManager, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (string?)updated["metadata"]?["resourceVersion"] ?? string.Empty;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.UnprocessableEntity)
        {
            // A newer version (409), or a version or finalizer list that is no longer the one read (a failed test: 422).
            return null;
        }
    }
}
