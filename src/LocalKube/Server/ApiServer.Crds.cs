using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>CustomResourceDefinition rules, status and registration; Event validation and storage mapping.</summary>
internal sealed partial class ApiServer
{
    /// <summary>Maps a request body to the storage shape (events.k8s.io/v1 Events are stored as core Events).</summary>
    private static JsonObject ToStorage(ResourceType type, JsonObject obj)
    {
        if (type.Flavor != TypeFlavor.EventsV1Event)
        {
            return obj;
        }

        var apiVersion = Json.Str(obj["apiVersion"]);
        if (apiVersion is not null && apiVersion != type.ApiVersion)
        {
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        var core = EventConversion.V1ToCore(obj);
        return core;
    }

    private static List<FieldError> ValidateCrd(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var spec = crd["spec"] as JsonObject;
        var group = Json.Str(spec?["group"]) ?? string.Empty;
        var names = spec?["names"] as JsonObject;
        var plural = Json.Str(names?["plural"]) ?? string.Empty;
        var kind = Json.Str(names?["kind"]) ?? string.Empty;
        if (group.Length == 0)
        {
            errors.Add(FieldError.Required("spec.group"));
        }

        if (plural.Length == 0)
        {
            errors.Add(FieldError.Required("spec.names.plural"));
        }

        if (kind.Length == 0)
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }

        var name = Json.Name(crd);
        if (group.Length > 0 && plural.Length > 0 && name != plural + "." + group)
        {
            errors.Add(FieldError.Invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }

        if (Json.Str(spec?["scope"]) is not ("Namespaced" or "Cluster"))
        {
            errors.Add(FieldError.NotSupported("spec.scope", spec?["scope"], ["\"Cluster\"", "\"Namespaced\""]));
        }

        var versions = (spec?["versions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Required("spec.versions") with { Message = "Invalid value: null: must have exactly one version marked as storage version" });
        }
        else if (versions.Count(v => v["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b) != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", spec!["versions"], "must have exactly one version marked as storage version"));
        }

        for (var i = 0; i < versions.Count; i++)
        {
            if ((versions[i]["schema"] as JsonObject)?["openAPIV3Schema"] is not JsonObject)
            {
                errors.Add(FieldError.Required($"spec.versions[{Json.Inv(i)}].schema.openAPIV3Schema") with { Message = "Required value: schemas are required" });
            }
        }

        return errors;
    }

    /// <summary>Defaults and the status a real cluster's CRD controllers write within milliseconds
    /// (set synchronously here: NamesAccepted and Established are True in the create response).</summary>
    private void SetCrdStatus(JsonObject crd, JsonObject? existing)
    {
        var spec = (JsonObject)crd["spec"]!;
        var names = (JsonObject)spec["names"]!;
        var kind = Json.Str(names["kind"])!;
        names["singular"] ??= kind.ToLowerInvariant();
        names["listKind"] ??= kind + "List";
        spec["conversion"] ??= new JsonObject { ["strategy"] = "None" };
        var now = Now();
        var oldConditions = ((existing?["status"] as JsonObject)?["conditions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        string Since(string type) =>
            Json.Str(oldConditions.FirstOrDefault(c => Json.Str(c["type"]) == type)?["lastTransitionTime"]) ?? now;
        var stored = ((existing?["status"] as JsonObject)?["storedVersions"] as JsonArray)?.Select(Json.Str).OfType<string>().ToList() ?? [];
        var storage = (spec["versions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(v => v["storage"] is JsonValue s && s.TryGetValue<bool>(out var b) && b);
        if (Json.Str(storage?["name"]) is { } sv && !stored.Contains(sv))
        {
            stored.Add(sv);
        }

        crd["status"] = new JsonObject
        {
            ["acceptedNames"] = names.DeepClone(),
            ["conditions"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "NamesAccepted", ["status"] = "True", ["lastTransitionTime"] = Since("NamesAccepted"),
                    ["reason"] = "NoConflicts", ["message"] = "no conflicts found",
                },
                new JsonObject
                {
                    ["type"] = "Established", ["status"] = "True", ["lastTransitionTime"] = Since("Established"),
                    ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted",
                },
            },
            ["storedVersions"] = new JsonArray(stored.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
        };
    }

    /// <summary>Serves every served version of the CRD (replacing what it served before).</summary>
    private void RegisterCrd(JsonObject crd)
    {
        var spec = (JsonObject)crd["spec"]!;
        var names = (JsonObject)spec["names"]!;
        var group = Json.Str(spec["group"])!;
        var kind = Json.Str(names["kind"])!;
        var types = new List<ResourceType>();
        foreach (var v in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (v["served"] is JsonValue served && served.TryGetValue<bool>(out var isServed) && !isServed)
            {
                continue;
            }

            var columns = (v["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>().Select(c =>
            {
                var path = Json.Str(c["jsonPath"]) ?? string.Empty;
                Json.TryGetLong(c["priority"], out var priority);
                return new PrinterColumn(
                    Json.Str(c["name"]) ?? string.Empty,
                    Json.Str(c["type"]) ?? "string",
                    Json.Str(c["format"]) ?? string.Empty,
                    Json.Str(c["description"]) ?? "Custom resource definition column (in JSONPath format): " + path,
                    (int)priority,
                    path);
            }).ToList();
            types.Add(new ResourceType
            {
                Group = group,
                Version = Json.Str(v["name"])!,
                Plural = Json.Str(names["plural"])!,
                Singular = Json.Str(names["singular"]) ?? kind.ToLowerInvariant(),
                Kind = kind,
                ListKind = Json.Str(names["listKind"]) ?? kind + "List",
                Namespaced = Json.Str(spec["scope"]) == "Namespaced",
                Flavor = TypeFlavor.Custom,
                ShortNames = (names["shortNames"] as JsonArray)?.Select(Json.Str).OfType<string>().ToList() ?? [],
                Categories = (names["categories"] as JsonArray)?.Select(Json.Str).OfType<string>().ToList() ?? [],
                HasStatus = (v["subresources"] as JsonObject)?["status"] is JsonObject,
                Schema = ((v["schema"] as JsonObject)?["openAPIV3Schema"] as JsonObject)?.DeepClone() as JsonObject,
                Columns = columns,
                CrdName = Json.Name(crd),
                DeprecationWarning = v["deprecated"] is JsonValue d && d.TryGetValue<bool>(out var deprecated) && deprecated
                    ? Json.Str(v["deprecationWarning"]) ?? $"{group}/{Json.Str(v["name"])} {kind} is deprecated"
                    : null,
            });
        }

        Registry.SetCrd(Json.Name(crd), types);
    }

    private static List<FieldError> ValidateCoreEvent(JsonObject ev)
    {
        var errors = new List<FieldError>();
        var ns = Json.Namespace(ev);
        var involvedNs = Json.Str((ev["involvedObject"] as JsonObject)?["namespace"]) ?? string.Empty;
        // legacyValidateEvent: an event about a cluster-scoped object (no involvedObject.namespace) may only live in
        // "default" (or, with eventTime, "kube-system"); otherwise the namespaces must agree.
        var mismatch = ev["eventTime"] is null
            ? (involvedNs.Length == 0 ? ns is not ("" or "default") : involvedNs != ns)
            : involvedNs.Length == 0 && ns is not ("default" or "kube-system");
        if (mismatch)
        {
            errors.Add(FieldError.Invalid("involvedObject.namespace", involvedNs, "does not match event.namespace"));
        }

        if (ev["eventTime"] is not null)
        {
            errors.AddRange(RequiredEventV1Fields(ev, "reportingComponent"));
        }

        return errors;
    }

    private static List<FieldError> ValidateEventsV1(JsonObject storedShape)
    {
        var errors = new List<FieldError>();
        if (storedShape["eventTime"] is null)
        {
            errors.Add(FieldError.Required("eventTime"));
        }

        errors.AddRange(RequiredEventV1Fields(storedShape, "reportingController"));
        if (Json.Str(storedShape["type"]) is not ("Normal" or "Warning"))
        {
            errors.Add(FieldError.NotSupported("type", storedShape["type"], ["\"Normal\"", "\"Warning\""]));
        }

        return errors;
    }

    private static IEnumerable<FieldError> RequiredEventV1Fields(JsonObject ev, string controllerFieldName)
    {
        if (Json.Str(ev["reportingComponent"]) is not { Length: > 0 })
        {
            yield return FieldError.Required(controllerFieldName);
        }

        if (Json.Str(ev["reportingInstance"]) is not { Length: > 0 })
        {
            yield return FieldError.Required("reportingInstance");
        }

        if (Json.Str(ev["action"]) is not { Length: > 0 })
        {
            yield return FieldError.Required("action");
        }

        if (Json.Str(ev["reason"]) is not { Length: > 0 })
        {
            yield return FieldError.Required("reason");
        }
    }
}
