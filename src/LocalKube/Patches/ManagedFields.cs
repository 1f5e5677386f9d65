using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Patches;

/// <summary>
/// <c>metadata.managedFields</c> with leaf-field ownership: a manager owns leaf fields (scalars, atomic lists, empty
/// maps, and per item for <c>x-kubernetes-list-type: map|set</c> lists, see <see cref="FieldPaths"/>). Updates move
/// the fields they change to their manager; server-side apply owns exactly the fields of the applied configuration,
/// removes fields it owned before and no longer applies (unless someone else owns them), and conflicts with other
/// managers' differing fields unless forced.
/// </summary>
internal static class ManagedFields
{
    private const char Sep = FieldPaths.Sep;

    private static readonly HashSet<string> IgnoredMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "generateName", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink",
    };

    private sealed record Entry(string Manager, string Operation, string? Subresource, HashSet<string> Fields, JsonObject Raw);

    /// <summary>Leaf paths of an object, ignoring apiVersion/kind and server-owned metadata; list-map and set
    /// lists of the schema are split per item.</summary>
    public static HashSet<string> Leaves(JsonObject obj, string? subresource, JsonObject? schema)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind")
            {
                continue;
            }

            if (subresource == "status" && key != "status")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject meta)
            {
                foreach (var (mk, mv) in meta)
                {
                    if (!IgnoredMetadata.Contains(mk))
                    {
                        FieldPaths.Collect(mv, "metadata" + Sep + mk, null, set);
                    }
                }

                continue;
            }

            FieldPaths.Collect(value, key, FieldPaths.Child(schema, key), set);
        }

        return set;
    }

    private static List<Entry> Read(JsonObject obj)
    {
        var list = new List<Entry>();
        if ((obj["metadata"] as JsonObject)?["managedFields"] is not JsonArray arr)
        {
            return list;
        }

        foreach (var e in arr.OfType<JsonObject>())
        {
            var fields = new HashSet<string>(StringComparer.Ordinal);
            if (e["fieldsV1"] is JsonObject f)
            {
                FieldPaths.FromFieldsV1(f, null, fields);
            }

            list.Add(new Entry(Json.Str(e["manager"]) ?? string.Empty, Json.Str(e["operation"]) ?? "Update",
                Json.Str(e["subresource"]), fields, e));
        }

        return list;
    }

    private static void Write(JsonObject obj, List<Entry> entries, string apiVersion, string time, Entry? touched)
    {
        var arr = new JsonArray();
        foreach (var e in entries.Where(e => e.Fields.Count > 0))
        {
            var raw = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = ReferenceEquals(e, touched) ? apiVersion : Json.Str(e.Raw["apiVersion"]) ?? apiVersion,
                ["time"] = ReferenceEquals(e, touched) ? time : Json.Str(e.Raw["time"]) ?? time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldPaths.ToFieldsV1(e.Fields),
            };
            if (e.Subresource is not null)
            {
                raw["subresource"] = e.Subresource;
            }

            arr.Add(raw);
        }

        var meta = Json.Metadata(obj);
        if (arr.Count == 0)
        {
            meta.Remove("managedFields");
        }
        else
        {
            meta["managedFields"] = arr;
        }
    }

    private static Entry EntryFor(List<Entry> entries, string manager, string operation, string? subresource)
    {
        var e = entries.FirstOrDefault(x => x.Manager == manager && x.Operation == operation && x.Subresource == subresource);
        if (e is null)
        {
            e = new Entry(manager, operation, subresource, new HashSet<string>(StringComparer.Ordinal), new JsonObject());
            entries.Add(e);
        }

        return e;
    }

    /// <summary>Records an Update-operation write: the manager takes the fields that changed.</summary>
    public static void RecordUpdate(JsonObject? old, JsonObject updated, string manager, string? subresource,
        string apiVersion, string time, JsonObject? schema)
    {
        var entries = old is null ? [] : Read(old);
        var oldLeaves = old is null ? new HashSet<string>(StringComparer.Ordinal) : Leaves(old, null, schema);
        var newLeaves = Leaves(updated, null, schema);
        var changed = newLeaves.Where(p => !oldLeaves.Contains(p) || !JsonNode.DeepEquals(FieldPaths.At(old!, p), FieldPaths.At(updated, p))).ToList();
        var removed = oldLeaves.Where(p => !newLeaves.Contains(p)).ToList();
        foreach (var e in entries)
        {
            e.Fields.ExceptWith(changed);
            e.Fields.ExceptWith(removed);
        }

        Entry? touched = null;
        if (changed.Count > 0)
        {
            touched = EntryFor(entries, manager, "Update", subresource);
            touched.Fields.UnionWith(changed);
        }

        Write(updated, entries, apiVersion, time, touched);
    }

    /// <summary>Server-side apply of <paramref name="applied"/> onto <paramref name="live"/> (a copy is returned).</summary>
    public static JsonObject Apply(JsonObject live, JsonObject applied, string manager, bool force, string? subresource,
        string apiVersion, string time, ResourceType type, string name)
    {
        var result = Json.Clone(live);
        var entries = Read(live);
        var appliedLeaves = Leaves(applied, subresource, type.Schema);
        var conflicts = new List<(string Manager, string Path)>();
        foreach (var e in entries.Where(e => e.Manager != manager))
        {
            foreach (var p in appliedLeaves.Where(e.Fields.Contains))
            {
                if (!JsonNode.DeepEquals(FieldPaths.At(live, p), FieldPaths.At(applied, p)))
                {
                    conflicts.Add((e.Manager, p));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            throw Conflict(conflicts, type, name);
        }

        foreach (var (m, p) in conflicts)
        {
            entries.First(e => e.Manager == m && e.Fields.Contains(p)).Fields.Remove(p);
        }

        var mine = EntryFor(entries, manager, "Apply", subresource);
        foreach (var p in mine.Fields.Where(p => !appliedLeaves.Contains(p)).ToList())
        {
            var ownedByOthers = entries.Any(e => !ReferenceEquals(e, mine) && e.Fields.Contains(p));
            if (!ownedByOthers && FieldPaths.Has(result, p))
            {
                FieldPaths.Remove(result, p);
            }
        }

        foreach (var p in appliedLeaves)
        {
            FieldPaths.Set(result, p, FieldPaths.At(applied, p));
            foreach (var e in entries.Where(e => !ReferenceEquals(e, mine)))
            {
                // Agreeing values are shared ownership in real SSA; keep it simple and leave them shared.
                if (e.Fields.Contains(p) && !JsonNode.DeepEquals(FieldPaths.At(live, p), FieldPaths.At(applied, p)))
                {
                    e.Fields.Remove(p);
                }
            }
        }

        mine.Fields.Clear();
        mine.Fields.UnionWith(appliedLeaves);
        Write(result, entries, apiVersion, time, mine);
        return result;
    }

    /// <summary>managedFields of a new object created by apply.</summary>
    public static void RecordApplyCreate(JsonObject created, string manager, string? subresource, string apiVersion, string time,
        JsonObject? schema)
    {
        var entries = new List<Entry>();
        var mine = EntryFor(entries, manager, "Apply", subresource);
        mine.Fields.UnionWith(Leaves(created, subresource, schema));
        Write(created, entries, apiVersion, time, mine);
    }

    private static ApiException Conflict(List<(string Manager, string Path)> conflicts, ResourceType type, string name)
    {
        static string Dotted(string p) => "." + string.Join('.', p.Split(Sep).Select(c => c.StartsWith("k:", StringComparison.Ordinal) || c.StartsWith("v:", StringComparison.Ordinal) ? "[" + c[2..] + "]" : c)).Replace(".[", "[", StringComparison.Ordinal);
        var text = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\": {Dotted(conflicts[0].Path)}"
            : $"Apply failed with {Json.Inv(conflicts.Count)} conflicts: " + string.Join("; ",
                conflicts.GroupBy(c => c.Manager).Select(g =>
                    $"conflicts with \"{g.Key}\":\n" + string.Join("\n", g.Select(c => "- " + Dotted(c.Path)))));
        var causes = new JsonArray();
        foreach (var (m, p) in conflicts)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with \"{m}\"",
                ["field"] = Dotted(p),
            });
        }

        var details = ApiException.DetailsFor(type, name);
        details["causes"] = causes;
        return new ApiException(409, "Conflict", text, details);
    }
}
