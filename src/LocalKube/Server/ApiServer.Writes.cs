using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Patches;
using CryptoIndex.LocalKube.Schema;
using CryptoIndex.LocalKube.Storage;

namespace CryptoIndex.LocalKube.Server;

/// <summary>create, update, patch (merge, JSON, apply), delete, deletecollection with the apiserver's rules.</summary>
internal sealed partial class ApiServer
{
    private static readonly string[] SystemMetadata =
        ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink"];

    private string Now() => Json.Rfc3339(Time.GetUtcNow());

    /// <summary>Fills apiVersion/kind from the URL when missing (C# LeaseLock omits them) and checks namespace/name.</summary>
    private static void PrepareIncoming(ApiRequestContext req, JsonObject obj, ResourceType type)
    {
        var apiVersion = Json.Str(obj["apiVersion"]);
        var kind = Json.Str(obj["kind"]);
        if ((apiVersion is not null && apiVersion != type.StorageApiVersion) || (kind is not null && kind != type.Kind))
        {
            throw ApiException.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        var reordered = new JsonObject { ["apiVersion"] = type.StorageApiVersion, ["kind"] = type.Kind };
        foreach (var (k, v) in obj.ToList())
        {
            if (k is not ("apiVersion" or "kind"))
            {
                obj.Remove(k);
                reordered[k] = v;
            }
        }

        obj.Clear();
        foreach (var (k, v) in reordered.ToList())
        {
            reordered.Remove(k);
            obj[k] = v;
        }

        var meta = Json.Metadata(obj);
        var bodyNs = Json.Str(meta["namespace"]);
        if (type.Namespaced)
        {
            if (bodyNs is { Length: > 0 } && bodyNs != req.Namespace)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = req.Namespace;
        }
        else
        {
            meta.Remove("namespace");
        }

        var bodyName = Json.Str(meta["name"]);
        if (req.Name.Length > 0)
        {
            if (bodyName is { Length: > 0 } && bodyName != req.Name)
            {
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({req.Name})");
            }

            meta["name"] = req.Name;
        }
    }

    /// <summary>Server-filled metadata of a new object.</summary>
    private void StampNew(ResourceType type, JsonObject obj)
    {
        var meta = Json.Metadata(obj);
        foreach (var f in SystemMetadata)
        {
            meta.Remove(f);
        }

        meta["uid"] = Guid.NewGuid().ToString();
        meta["resourceVersion"] = Json.Inv(Store.NextRv());
        if (type.HasGeneration)
        {
            meta["generation"] = 1;
        }

        meta["creationTimestamp"] = Now();
    }

    private static string RandomSuffix()
    {
        const string chars = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, chars, (span, c) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = c[RandomNumberGenerator.GetInt32(c.Length)];
            }
        });
    }

    private static string FieldValidation(ApiRequestContext req)
    {
        var mode = req.Query("fieldValidation") ?? "Warn";
        return mode is "Strict" or "Warn" or "Ignore"
            ? mode
            : throw ApiException.BadRequest($"fieldValidation parameter unsupported: {mode}");
    }

    /// <summary>Type-specific admission: schema pruning/defaulting/validation for custom resources, CRD rules,
    /// Event rules, name format. Runs on the object that would be stored.</summary>
    private static void Admit(ApiRequestContext req, ResourceType type, JsonObject obj, JsonObject? old)
    {
        var name = Json.Name(obj);
        var errors = new List<FieldError>();
        if (old is null && !IsDnsSubdomain(name) && type.Flavor != TypeFlavor.CoreEvent && type.Flavor != TypeFlavor.EventsV1Event)
        {
            errors.Add(FieldError.Invalid("metadata.name", name,
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }

        errors.AddRange(ValidateLabelsAndAnnotations(obj));
        if (type.Kind == "Secret")
        {
            // Secrets: type defaults to Opaque; write-only stringData is merged into data (base64).
            if (Json.Str(obj["type"]) is not { Length: > 0 })
            {
                obj["type"] = "Opaque";
            }

            if (obj["stringData"] is JsonObject stringData)
            {
                var data = (obj["data"] ??= new JsonObject()) as JsonObject;
                foreach (var (k, v) in stringData)
                {
                    data![k] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Json.Text(v)));
                }

                obj.Remove("stringData");
            }
        }

        switch (type.Flavor)
        {
            case TypeFlavor.Custom when type.Schema is not null:
            {
                var pruned = StructuralSchema.Prune(obj, type.Schema);
                if (pruned.Count > 0)
                {
                    switch (FieldValidation(req))
                    {
                        case "Strict":
                            throw ApiException.BadRequest(
                                $"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: " +
                                string.Join(", ", pruned.Select(p => $"unknown field \"{p}\"")));
                        case "Warn":
                            req.Warnings.AddRange(pruned.Select(p => $"unknown field \"{p}\""));
                            break;
                    }
                }

                StructuralSchema.Default(obj, type.Schema);
                errors.AddRange(StructuralSchema.Validate(obj, type.Schema));
                break;
            }

            case TypeFlavor.Crd:
                errors.AddRange(ValidateCrd(obj));
                errors.AddRange(CrdSchemaRules.Validate(obj));
                break;
            case TypeFlavor.CoreEvent:
                errors.AddRange(ValidateCoreEvent(obj));
                break;
            case TypeFlavor.EventsV1Event:
                errors.AddRange(ValidateEventsV1(obj));
                break;
            case TypeFlavor.Lease:
                errors.AddRange(ValidateLease(obj));
                break;
        }

        if (old is not null && (old["metadata"] as JsonObject)?["deletionTimestamp"] is not null)
        {
            var before = Finalizers(old);
            var added = Finalizers(obj).Where(f => !before.Contains(f)).ToList();
            if (added.Count > 0)
            {
                errors.Add(FieldError.Forbidden("metadata.finalizers",
                    $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{string.Join("\", \"", added)}\"}}"));
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, name, errors);
        }
    }

    private const string LabelNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    /// <summary>ObjectMeta label and annotation rules (qualified-name keys, label values).</summary>
    private static IEnumerable<FieldError> ValidateLabelsAndAnnotations(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject;
        foreach (var property in new[] { "labels", "annotations" })
        {
            if (meta?[property] is not JsonObject map)
            {
                continue;
            }

            foreach (var (key, value) in map)
            {
                if (!IsQualifiedName(key))
                {
                    yield return FieldError.Invalid("metadata." + property, key, LabelNameMessage);
                }

                if (property == "labels")
                {
                    var text = Json.Str(value) ?? string.Empty;
                    if (text.Length > 63 || (text.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(text, "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")))
                    {
                        yield return FieldError.Invalid("metadata.labels", text, LabelValueMessage);
                    }
                }
            }
        }
    }

    private static bool IsQualifiedName(string key)
    {
        var slash = key.LastIndexOf('/');
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0 && !IsDnsSubdomain(key[..slash]))
        {
            return false;
        }

        return name.Length is > 0 and <= 63 &&
            System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    }

    private static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253 &&
        System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

    private static List<string> Finalizers(JsonObject obj) =>
        ((obj["metadata"] as JsonObject)?["finalizers"] as JsonArray)?.Select(Json.Str).OfType<string>().ToList() ?? [];

    private ApiReply Create(ApiRequestContext req)
    {
        var type = req.Type!;
        var obj = ToStorage(type, Json.ParseObject(req.Body));
        if (!string.IsNullOrEmpty(Json.MetaString(obj, "resourceVersion")))
        {
            throw ApiException.BadRequest("resourceVersion should not be set on objects to be created");
        }

        PrepareIncoming(req, obj, type);
        lock (Store.Gate)
        {
            var created = CreateLocked(req, type, obj, applyManager: null);
            return new ApiReply(201, created);
        }
    }

    /// <summary>The create path shared by POST and apply-creates; returns the object as served.</summary>
    private JsonObject CreateLocked(ApiRequestContext req, ResourceType type, JsonObject obj, string? applyManager)
    {
        var meta = Json.Metadata(obj);
        if (Json.Str(meta["name"]) is not { Length: > 0 })
        {
            if (Json.Str(meta["generateName"]) is { Length: > 0 } prefix)
            {
                string candidate;
                do
                {
                    candidate = prefix + RandomSuffix();
                }
                while (Store.Get(type.StorageKey, req.Namespace, candidate) is not null);

                meta["name"] = candidate;
            }
            else
            {
                throw ApiException.Invalid(type, string.Empty,
                    [FieldError.Required("metadata.name") with { Message = "Required value: name or generateName is required" }]);
            }
        }

        RequireNamespace(req.Namespace);
        if (type.SplitsStatus && type.Flavor != TypeFlavor.Crd)
        {
            obj.Remove("status");
        }

        if (type.Flavor == TypeFlavor.Namespace)
        {
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }

        Admit(req, type, obj, null);
        var name = Json.Name(obj);
        if (Store.Get(type.StorageKey, req.Namespace, name) is { } existing)
        {
            throw ApiException.AlreadyExists(type, name, (existing["metadata"] as JsonObject)?["deletionTimestamp"] is not null);
        }

        if (type.Flavor == TypeFlavor.Crd)
        {
            SetCrdStatus(obj, null);
            if (meta["finalizers"] is not JsonArray finalizers)
            {
                finalizers = [];
                meta["finalizers"] = finalizers;
            }

            if (!finalizers.Any(f => Json.Str(f) == CrdCleanupFinalizer))
            {
                finalizers.Add(CrdCleanupFinalizer);
            }
        }

        if (type.Flavor == TypeFlavor.Custom && type.CrdName is { } crdName &&
            (Store.Get(CrdStorageKey, string.Empty, crdName)?["metadata"] as JsonObject)?["deletionTimestamp"] is not null)
        {
            throw new ApiException(405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating");
        }

        if (req.DryRun)
        {
            var dry = Json.Clone(obj);
            Json.Metadata(dry)["uid"] = Guid.NewGuid().ToString();
            Json.Metadata(dry)["creationTimestamp"] = Now();
            return ObjectStore.AsVersion(dry, type);
        }

        StampNew(type, obj);
        if (applyManager is not null)
        {
            ManagedFields.RecordApplyCreate(obj, applyManager, NullIfEmpty(req.Subresource), type.ApiVersion, Now(), type.Schema);
        }
        else
        {
            ManagedFields.RecordUpdate(null, obj, req.Manager, NullIfEmpty(req.Subresource), type.ApiVersion, Now(), type.Schema);
        }

        Store.Commit(type.StorageKey, "ADDED", obj, null);
        AfterWrite(type, obj);
        return ObjectStore.AsVersion(obj, type);
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    private ApiReply Replace(ApiRequestContext req)
    {
        var type = req.Type!;
        var obj = ToStorage(type, Json.ParseObject(req.Body));
        PrepareIncoming(req, obj, type);
        lock (Store.Gate)
        {
            var existing = Store.Get(type.StorageKey, req.Namespace, req.Name);
            var rv = Json.MetaString(obj, "resourceVersion");
            if (existing is null)
            {
                if (type.AllowCreateOnUpdate && req.Subresource.Length == 0)
                {
                    Json.Metadata(obj).Remove("resourceVersion");
                    return new ApiReply(201, CreateLocked(req, type, obj, applyManager: null));
                }

                throw ApiException.NotFound(type, req.Name);
            }

            if (string.IsNullOrEmpty(rv) && !type.AllowUnconditionalUpdate)
            {
                throw ApiException.Invalid(type, req.Name,
                    [new FieldError("FieldValueInvalid", "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")]);
            }

            if (!string.IsNullOrEmpty(rv) && rv != Json.MetaString(existing, "resourceVersion"))
            {
                throw ApiException.Conflict(type, req.Name);
            }

            return new ApiReply(200, UpdateLocked(req, type, existing, obj, recordManagedFields: true));
        }
    }

    private ApiReply Patch(ApiRequestContext req)
    {
        var type = req.Type!;
        var media = req.MediaType;
        var strategic = media == "application/strategic-merge-patch+json" && type.Flavor != TypeFlavor.Custom;
        if (strategic)
        {
            // Built-in kinds accept strategic merge; without their Go struct tags it is approximated by a merge
            // patch, after dropping the SMP directives ($setElementOrder/..., $retainKeys, $patch, ...).
            media = "application/merge-patch+json";
        }

        if (media is not ("application/merge-patch+json" or "application/json-patch+json" or "application/apply-patch+yaml"))
        {
            throw new ApiException(415, "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml");
        }

        lock (Store.Gate)
        {
            var existing = Store.Get(type.StorageKey, req.Namespace, req.Name);
            if (media == "application/apply-patch+yaml")
            {
                return ApplyLocked(req, type, existing);
            }

            if (existing is null)
            {
                throw ApiException.NotFound(type, req.Name);
            }

            var view = ObjectStore.AsVersion(existing, type);
            JsonObject patched;
            try
            {
                patched = media == "application/merge-patch+json"
                    ? MergePatch.Apply(view, strategic ? MergePatch.WithoutDirectives(Json.ParseObject(req.Body)) : Json.ParseObject(req.Body)) as JsonObject
                        ?? throw ApiException.BadRequest("merge patch must be an object")
                    : JsonPatch.Apply(view, Json.Parse(req.Body) as JsonArray ?? throw ApiException.BadRequest("json patch must be an array"));
            }
            catch (JsonPatchException e)
            {
                throw ApiException.Invalid(type, req.Name, [new FieldError("FieldValueInvalid", string.Empty, e.Message)]);
            }

            patched = ToStorage(type, patched);
            PrepareIncoming(req, patched, type);
            var rv = Json.MetaString(patched, "resourceVersion");
            if (!string.IsNullOrEmpty(rv) && rv != Json.MetaString(existing, "resourceVersion"))
            {
                throw ApiException.Conflict(type, req.Name);
            }

            return new ApiReply(200, UpdateLocked(req, type, existing, patched, recordManagedFields: true));
        }
    }

    private ApiReply ApplyLocked(ApiRequestContext req, ResourceType type, JsonObject? existing)
    {
        var manager = req.Query("fieldManager")
            ?? throw ApiException.BadRequest("PATCH, fieldManager: Required value: is required for apply patch");
        var applied = YamlJson.Parse(req.Body) as JsonObject ?? throw ApiException.BadRequest("apply patch must be an object");
        applied = ToStorage(type, applied);
        PrepareIncoming(req, applied, type);
        if (existing is null)
        {
            if (req.Subresource.Length > 0)
            {
                throw ApiException.NotFound(type, req.Name);
            }

            return new ApiReply(201, CreateLocked(req, type, applied, manager));
        }

        var rv = Json.MetaString(applied, "resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != Json.MetaString(existing, "resourceVersion"))
        {
            throw ApiException.Conflict(type, req.Name);
        }

        var merged = ManagedFields.Apply(existing, applied, manager, req.QueryTrue("force"), NullIfEmpty(req.Subresource),
            type.ApiVersion, Now(), type, req.Name);
        return new ApiReply(200, UpdateLocked(req, type, existing, merged, recordManagedFields: false));
    }

    /// <summary>The update path shared by PUT and PATCH (store.go Update): status split, immutable metadata,
    /// admission, generation, no-op detection, delete-on-last-finalizer.</summary>
    private JsonObject UpdateLocked(ApiRequestContext req, ResourceType type, JsonObject existing, JsonObject candidate, bool recordManagedFields)
    {
        // A uid in the body is a precondition (rest.Update), not a field to change.
        var bodyUid = Json.MetaString(candidate, "uid");
        var storedUid = Json.MetaString(existing, "uid");
        if (!string.IsNullOrEmpty(bodyUid) && bodyUid != storedUid)
        {
            throw new ApiException(409, "Conflict",
                $"Operation cannot be fulfilled on {type.QualifiedResource} \"{req.Name}\": Precondition failed: UID in precondition: {bodyUid}, UID in object meta: {storedUid}",
                ApiException.DetailsFor(type, req.Name));
        }

        var statusSplit = type.SplitsStatus;
        if (statusSplit && req.Subresource == "status")
        {
            var onlyStatus = Json.Clone(existing);
            if (candidate["status"] is { } s)
            {
                onlyStatus["status"] = s.DeepClone();
            }
            else
            {
                onlyStatus.Remove("status");
            }

            if ((candidate["metadata"] as JsonObject)?["managedFields"] is { } mf)
            {
                Json.Metadata(onlyStatus)["managedFields"] = mf.DeepClone();
            }

            candidate = onlyStatus;
        }
        else if (statusSplit)
        {
            if (existing["status"] is { } s)
            {
                candidate["status"] = s.DeepClone();
            }
            else
            {
                candidate.Remove("status");
            }
        }

        var meta = Json.Metadata(candidate);
        var oldMeta = Json.Metadata(existing);
        foreach (var f in SystemMetadata)
        {
            if (oldMeta[f] is { } v)
            {
                meta[f] = v.DeepClone();
            }
            else
            {
                meta.Remove(f);
            }
        }

        meta["resourceVersion"] = Json.MetaString(existing, "resourceVersion");
        Admit(req, type, candidate, existing);
        if (type.Flavor == TypeFlavor.Crd)
        {
            SetCrdStatus(candidate, existing);
        }

        // The status strategy keeps the stored generation: a status write never moves it, even when defaults added to
        // the CRD since the object was stored fill its spec in now (a real server applies them when reading it).
        if (type.HasGeneration && !(statusSplit && req.Subresource == "status") && SpecChanged(existing, candidate, statusSplit))
        {
            Json.TryGetLong(oldMeta["generation"], out var g);
            meta["generation"] = g + 1;
        }

        if (recordManagedFields)
        {
            ManagedFields.RecordUpdate(existing, candidate, req.Manager, NullIfEmpty(req.Subresource), type.ApiVersion, Now(), type.Schema);
        }

        if (Json.EqualIgnoringMeta(existing, candidate, "managedFields", "resourceVersion"))
        {
            // GuaranteedUpdate skips unchanged objects: no new resourceVersion, no watch event.
            return ObjectStore.AsVersion(existing, type);
        }

        if (req.DryRun)
        {
            return ObjectStore.AsVersion(candidate, type);
        }

        if (meta["deletionTimestamp"] is not null && Finalizers(candidate).Count == 0)
        {
            meta["resourceVersion"] = Json.Inv(Store.NextRv());
            Store.Commit(type.StorageKey, "DELETED", candidate, existing);
            AfterDelete(type, candidate, "Background");
            ReconcileDeletions();
            return ObjectStore.AsVersion(candidate, type);
        }

        meta["resourceVersion"] = Json.Inv(Store.NextRv());
        Store.Commit(type.StorageKey, "MODIFIED", candidate, existing);
        AfterWrite(type, candidate);
        return ObjectStore.AsVersion(candidate, type);
    }

    /// <summary>generation moves iff anything outside metadata changed (status excluded when it is a subresource).</summary>
    private static bool SpecChanged(JsonObject a, JsonObject b, bool ignoreStatus)
    {
        var ca = Json.Clone(a);
        var cb = Json.Clone(b);
        foreach (var o in new[] { ca, cb })
        {
            o.Remove("metadata");
            o.Remove("apiVersion");
            o.Remove("kind");
            if (ignoreStatus)
            {
                o.Remove("status");
            }
        }

        return !JsonNode.DeepEquals(ca, cb);
    }

    /// <summary>Hooks after an object was stored: CRDs (re)register their types for discovery and REST.</summary>
    private void AfterWrite(ResourceType type, JsonObject obj)
    {
        if (type.Flavor == TypeFlavor.Crd)
        {
            RegisterCrd(obj);
        }
    }
}
