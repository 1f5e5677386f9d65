using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Selectors;
using CryptoIndex.LocalKube.Storage;

namespace CryptoIndex.LocalKube.Server;

/// <summary>delete and deletecollection: finalizers, deletionTimestamp, preconditions and the cascades
/// (CRD → custom resources, namespace → contents, ownerReferences garbage collection).</summary>
internal sealed partial class ApiServer
{
    private static (string Policy, string? Uid, string? Rv, bool DryRun) DeleteOptions(ApiRequestContext req)
    {
        var policy = req.Query("propagationPolicy") ?? "Background";
        string? uid = null, rv = null;
        var dryRun = req.DryRun;
        if (!string.IsNullOrWhiteSpace(req.Body))
        {
            var body = Json.ParseObject(req.Body);
            policy = Json.Str(body["propagationPolicy"]) ?? policy;
            if (body["orphanDependents"] is JsonValue orphan && orphan.TryGetValue<bool>(out var o) && o)
            {
                policy = "Orphan";
            }

            uid = Json.Str((body["preconditions"] as JsonObject)?["uid"]);
            rv = Json.Str((body["preconditions"] as JsonObject)?["resourceVersion"]);
            dryRun |= (body["dryRun"] as JsonArray)?.Any(d => Json.Str(d) == "All") == true;
        }

        return (policy, uid, rv, dryRun);
    }

    private ApiReply Delete(ApiRequestContext req)
    {
        var type = req.Type!;
        var (policy, uid, rv, dryRun) = DeleteOptions(req);
        lock (Store.Gate)
        {
            var existing = Store.Get(type.StorageKey, req.Namespace, req.Name) ?? throw ApiException.NotFound(type, req.Name);
            var existingUid = Json.MetaString(existing, "uid");
            if (uid is not null && uid != existingUid)
            {
                throw new ApiException(409, "Conflict",
                    $"Operation cannot be fulfilled on {type.QualifiedResource} \"{req.Name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {existingUid}",
                    ApiException.DetailsFor(type, req.Name));
            }

            if (rv is not null && rv != Json.MetaString(existing, "resourceVersion"))
            {
                throw ApiException.Conflict(type, req.Name);
            }

            if (dryRun)
            {
                return new ApiReply(200, ObjectStore.AsVersion(existing, type));
            }

            var result = DeleteLocked(type, existing, policy);
            if (result is not null)
            {
                return new ApiReply(200, ObjectStore.AsVersion(result, type));
            }

            if (type.DeleteReturnsStatus)
            {
                var details = ApiException.DetailsFor(type, req.Name);
                details["uid"] = existingUid;
                return new ApiReply(200, new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Success",
                    ["details"] = details,
                });
            }

            return new ApiReply(200, ObjectStore.AsVersion(existing, type));
        }
    }

    private const string ForegroundFinalizer = "foregroundDeletion";
    private const string CrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";
    private const string CrdStorageKey = "apiextensions.k8s.io/customresourcedefinitions";

    private bool _reconcilingDeletions;

    /// <summary>Deletes, or marks deleting (deletionTimestamp) when finalizers remain or a Foreground deletion has
    /// dependents to wait for. Returns the still-existing (marked) object, or null when it is gone.</summary>
    private JsonObject? DeleteLocked(ResourceType type, JsonObject existing, string policy)
    {
        if ((existing["metadata"] as JsonObject)?["deletionTimestamp"] is not null)
        {
            return existing;
        }

        var uid = Json.MetaString(existing, "uid");
        var foreground = policy == "Foreground" && Dependents(uid).Any();
        if (Finalizers(existing).Count == 0 && !foreground)
        {
            var gone = Json.Clone(existing);
            Json.Metadata(gone)["resourceVersion"] = Json.Inv(Store.NextRv());
            Store.Commit(type.StorageKey, "DELETED", gone, existing);
            AfterDelete(type, gone, policy);
            ReconcileDeletions();
            return null;
        }

        var marked = Json.Clone(existing);
        var meta = Json.Metadata(marked);
        if (foreground)
        {
            var finalizers = (meta["finalizers"] ??= new JsonArray()) as JsonArray;
            finalizers!.Add(ForegroundFinalizer);
        }

        meta["deletionTimestamp"] = Now();
        meta["deletionGracePeriodSeconds"] = 0;
        if (type.HasGeneration)
        {
            Json.TryGetLong(meta["generation"], out var g);
            meta["generation"] = g + 1;
        }

        if (type.Flavor == TypeFlavor.Crd && marked["status"]?["conditions"] is JsonArray conditions)
        {
            conditions.Add(new JsonObject
            {
                ["type"] = "Terminating", ["status"] = "True", ["lastTransitionTime"] = Now(),
                ["reason"] = "InstanceDeletionInProgress", ["message"] = "CustomResource deletion is in progress",
            });
        }

        meta["resourceVersion"] = Json.Inv(Store.NextRv());
        Store.Commit(type.StorageKey, "MODIFIED", marked, existing);

        // What the controllers of a real cluster do next, synchronously: the garbage collector deletes the
        // dependents of a foreground deletion and orphans those of an orphan deletion at once; the CRD finalizer
        // deletes every custom resource of the CRD.
        if (foreground || policy == "Orphan")
        {
            CollectDependents(uid, policy);
        }

        if (type.Flavor == TypeFlavor.Crd && Registry.FindByStorageKey(CrStorageKey(marked)) is { } crType)
        {
            foreach (var cr in Store.List(crType.StorageKey, null).ToList())
            {
                DeleteLocked(crType, cr, "Background");
            }
        }

        ReconcileDeletions();
        return marked;
    }

    private static string CrStorageKey(JsonObject crd) =>
        Json.Str((crd["spec"] as JsonObject)?["group"]) + "/" + Json.Str(((crd["spec"] as JsonObject)?["names"] as JsonObject)?["plural"]);

    /// <summary>Objects whose ownerReferences name <paramref name="uid"/>.</summary>
    private IEnumerable<(string StorageKey, JsonObject Object)> Dependents(string? uid, bool blockingOnly = false) =>
        Store.AllObjects().Where(x => ((x.Object["metadata"] as JsonObject)?["ownerReferences"] as JsonArray)?
            .OfType<JsonObject>()
            .Any(r => Json.Str(r["uid"]) == uid && (!blockingOnly || (r["blockOwnerDeletion"] is JsonValue b && b.TryGetValue<bool>(out var v) && v))) == true);

    /// <summary>Removes the server-owned finalizers whose wait is over (foregroundDeletion once no blocking
    /// dependent is left, the CRD cleanup finalizer once no custom resource is left), deleting objects whose last
    /// finalizer goes. Runs after every removal until nothing changes.</summary>
    private void ReconcileDeletions()
    {
        if (_reconcilingDeletions)
        {
            return;
        }

        _reconcilingDeletions = true;
        try
        {
            bool changed;
            do
            {
                changed = false;
                foreach (var (key, obj) in Store.AllObjects())
                {
                    var current = Store.Get(key, Json.Namespace(obj), Json.Name(obj));
                    if (current is null || (current["metadata"] as JsonObject)?["deletionTimestamp"] is null)
                    {
                        continue;
                    }

                    var finalizers = Finalizers(current);
                    string? done = null;
                    if (finalizers.Contains(ForegroundFinalizer) && !Dependents(Json.MetaString(current, "uid"), blockingOnly: true).Any())
                    {
                        done = ForegroundFinalizer;
                    }
                    else if (key == CrdStorageKey && finalizers.Contains(CrdCleanupFinalizer) && !Store.List(CrStorageKey(current), null).Any())
                    {
                        done = CrdCleanupFinalizer;
                    }

                    if (done is null || Registry.FindByStorageKey(key) is not { } type)
                    {
                        continue;
                    }

                    var updated = Json.Clone(current);
                    var remaining = finalizers.Where(f => f != done).ToList();
                    if (remaining.Count == 0)
                    {
                        Json.Metadata(updated).Remove("finalizers");
                        Json.Metadata(updated)["resourceVersion"] = Json.Inv(Store.NextRv());
                        Store.Commit(key, "DELETED", updated, current);
                        AfterDelete(type, updated, "Background");
                    }
                    else
                    {
                        Json.Metadata(updated)["finalizers"] = new JsonArray(remaining.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray());
                        Json.Metadata(updated)["resourceVersion"] = Json.Inv(Store.NextRv());
                        Store.Commit(key, "MODIFIED", updated, current);
                    }

                    changed = true;
                }
            }
            while (changed);
        }
        finally
        {
            _reconcilingDeletions = false;
        }
    }

    /// <summary>Cascades of a completed deletion: a CRD's custom resources, a namespace's contents, and
    /// ownerReferences garbage collection (synchronous background cascade; Orphan strips the references).</summary>
    private void AfterDelete(ResourceType type, JsonObject deleted, string policy)
    {
        if (type.Flavor == TypeFlavor.Crd)
        {
            var storageKey = CrStorageKey(deleted);
            var crType = Registry.FindByStorageKey(storageKey);
            Registry.RemoveCrd(Json.Name(deleted));
            if (crType is not null)
            {
                foreach (var cr in Store.List(storageKey, null).ToList())
                {
                    var gone = Json.Clone(cr);
                    Json.Metadata(gone)["resourceVersion"] = Json.Inv(Store.NextRv());
                    Store.Commit(storageKey, "DELETED", gone, cr);
                    AfterDelete(crType, gone, "Background");
                }
            }
        }

        if (type.Flavor == TypeFlavor.Namespace)
        {
            var ns = Json.Name(deleted);
            foreach (var (key, obj) in Store.AllObjects().Where(x => Json.Namespace(x.Object) == ns && x.StorageKey != "/namespaces"))
            {
                var gone = Json.Clone(obj);
                Json.Metadata(gone)["resourceVersion"] = Json.Inv(Store.NextRv());
                Store.Commit(key, "DELETED", gone, obj);
            }
        }

        CollectDependents(Json.MetaString(deleted, "uid"), policy);
    }

    /// <summary>The garbage collector's part: dependents of <paramref name="uid"/> are deleted (Background and
    /// Foreground) or lose their reference to it (Orphan).</summary>
    private void CollectDependents(string? uid, string policy)
    {
        foreach (var (key, snapshot) in Dependents(uid).ToList())
        {
            var current = Store.Get(key, Json.Namespace(snapshot), Json.Name(snapshot));
            if (current is null || Registry.FindByStorageKey(key) is not { } dependentType)
            {
                continue;
            }

            if (policy != "Orphan")
            {
                DeleteLocked(dependentType, current, "Background");
                continue;
            }

            var updated = Json.Clone(current);
            var refs = (Json.Metadata(updated)["ownerReferences"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            var remaining = new JsonArray(refs.Where(r => Json.Str(r["uid"]) != uid).Select(r => (JsonNode?)r.DeepClone()).ToArray());
            if (remaining.Count == 0)
            {
                Json.Metadata(updated).Remove("ownerReferences");
            }
            else
            {
                Json.Metadata(updated)["ownerReferences"] = remaining;
            }

            Json.Metadata(updated)["resourceVersion"] = Json.Inv(Store.NextRv());
            Store.Commit(key, "MODIFIED", updated, current);
        }
    }

    private ApiReply DeleteCollection(ApiRequestContext req)
    {
        var type = req.Type!;
        var labels = LabelSelector.Parse(req.Query("labelSelector"));
        var fields = FieldSelector.Parse(req.Query("fieldSelector"), type);
        var (policy, _, _, dryRun) = DeleteOptions(req);
        lock (Store.Gate)
        {
            var items = new JsonArray();
            foreach (var obj in Store.List(type.StorageKey, req.Namespace.Length > 0 ? req.Namespace : null)
                         .Where(o => labels.Matches(o) && fields.Matches(o)).ToList())
            {
                items.Add(ObjectStore.AsVersion(obj, type));
                if (!dryRun)
                {
                    DeleteLocked(type, obj, policy);
                }
            }

            return new ApiReply(200, new JsonObject
            {
                ["apiVersion"] = type.ApiVersion,
                ["kind"] = type.ListKind,
                ["metadata"] = new JsonObject { ["resourceVersion"] = Json.Inv(Store.CurrentRv) },
                ["items"] = items,
            });
        }
    }
}
