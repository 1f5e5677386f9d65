using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Patches;

/// <summary>
/// Leaf field paths in the structured-merge-diff style used by managedFields: object fields (<c>f:</c>), items of
/// <c>x-kubernetes-list-type: map</c> lists by their keys (<c>k:{"type":"Ready"}</c>) and values of
/// <c>set</c> lists (<c>v:"x"</c>). Other lists are atomic leaves. Components are joined with <see cref="Sep"/>.
/// </summary>
internal static class FieldPaths
{
    public const char Sep = '\u001f';

    /// <summary>Schema of a child field (properties, else additionalProperties); null when unknown.</summary>
    public static JsonObject? Child(JsonObject? schema, string field) =>
        schema?["properties"]?[field] as JsonObject ?? schema?["additionalProperties"] as JsonObject;

    private static (string Type, List<string> Keys) ListType(JsonObject? schema)
    {
        var type = Json.Str(schema?["x-kubernetes-list-type"]) ?? "atomic";
        var keys = (schema?["x-kubernetes-list-map-keys"] as JsonArray)?.Select(Json.Str).OfType<string>().Order(StringComparer.Ordinal).ToList() ?? [];
        return (type == "map" && keys.Count == 0 ? "atomic" : type, keys);
    }

    private static string KeyOf(JsonObject item, List<string> keys)
    {
        var key = new JsonObject();
        foreach (var k in keys)
        {
            key[k] = item[k]?.DeepClone();
        }

        return "k:" + key.ToJsonString(Json.Compact);
    }

    /// <summary>Adds the leaf paths under <paramref name="node"/> to <paramref name="set"/>.</summary>
    public static void Collect(JsonNode? node, string path, JsonObject? schema, HashSet<string> set)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                foreach (var (k, v) in o)
                {
                    Collect(v, path + Sep + k, Child(schema, k), set);
                }

                return;
            case JsonArray a:
                var (type, keys) = ListType(schema);
                if (a.Count == 0 && type is "map" or "set")
                {
                    // An empty granular list claims no item: items other managers own stay.
                    return;
                }

                if (type == "map" && a.All(i => i is JsonObject))
                {
                    var items = schema?["items"] as JsonObject;
                    foreach (var item in a.OfType<JsonObject>())
                    {
                        Collect(item, path + Sep + KeyOf(item, keys), items, set);
                    }

                    return;
                }

                if (type == "set")
                {
                    foreach (var item in a)
                    {
                        set.Add(path + Sep + "v:" + (item?.ToJsonString(Json.Compact) ?? "null"));
                    }

                    return;
                }

                break;
        }

        set.Add(path);
    }

    private static JsonNode? Step(JsonNode? node, string component)
    {
        if (component.StartsWith("k:", StringComparison.Ordinal) && node is JsonArray items)
        {
            var key = JsonNode.Parse(component[2..]) as JsonObject;
            return items.OfType<JsonObject>().FirstOrDefault(i => key!.All(kv => JsonNode.DeepEquals(i[kv.Key], kv.Value)));
        }

        if (component.StartsWith("v:", StringComparison.Ordinal) && node is JsonArray values)
        {
            var value = JsonNode.Parse(component[2..]);
            return values.FirstOrDefault(v => JsonNode.DeepEquals(v, value));
        }

        return node is JsonObject o && o.TryGetPropertyValue(component, out var child) ? child : null;
    }

    private static bool Exists(JsonNode? node, string component)
    {
        if (component.StartsWith("k:", StringComparison.Ordinal) || component.StartsWith("v:", StringComparison.Ordinal))
        {
            return node is JsonArray && Step(node, component) is not null;
        }

        return node is JsonObject o && o.ContainsKey(component);
    }

    public static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split(Sep))
        {
            node = Step(node, part);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    public static bool Has(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split(Sep))
        {
            if (!Exists(node, part))
            {
                return false;
            }

            node = Step(node, part);
        }

        return true;
    }

    /// <summary>Sets a leaf, creating maps, list-map items (with their key fields) and set values on the way.</summary>
    public static void Set(JsonObject obj, string path, JsonNode? value)
    {
        var parts = path.Split(Sep);
        JsonNode node = obj;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var last = i == parts.Length - 1;
            var nextIsItem = !last && (parts[i + 1].StartsWith("k:", StringComparison.Ordinal) || parts[i + 1].StartsWith("v:", StringComparison.Ordinal));
            if (part.StartsWith("v:", StringComparison.Ordinal) && node is JsonArray values)
            {
                if (Step(values, part) is null)
                {
                    values.Add(JsonNode.Parse(part[2..]));
                }

                return;
            }

            if (part.StartsWith("k:", StringComparison.Ordinal) && node is JsonArray items)
            {
                if (Step(items, part) is not JsonObject item)
                {
                    item = (JsonObject)JsonNode.Parse(part[2..])!;
                    items.Add(item);
                }

                if (last)
                {
                    return;
                }

                node = item;
                continue;
            }

            if (node is not JsonObject o)
            {
                return;
            }

            if (last)
            {
                o[part] = value?.DeepClone();
                return;
            }

            var child = o[part];
            if (nextIsItem ? child is not JsonArray : child is not JsonObject)
            {
                child = nextIsItem ? new JsonArray() : new JsonObject();
                o[part] = child;
            }

            node = child!;
        }
    }

    /// <summary>Removes a leaf, then containers the removal left empty (and list-map items left with only their
    /// keys). Removing a key field itself is left to that cleanup, so the item stays addressable.</summary>
    public static void Remove(JsonObject obj, string path)
    {
        var parts = path.Split(Sep);
        var chain = new List<JsonNode> { obj };
        foreach (var part in parts[..^1])
        {
            var next = Step(chain[^1], part);
            if (next is null)
            {
                return;
            }

            chain.Add(next);
        }

        var leaf = parts[^1];
        var parentIsItem = parts.Length >= 2 && parts[^2].StartsWith("k:", StringComparison.Ordinal);
        var isKeyField = parentIsItem && (JsonNode.Parse(parts[^2][2..]) as JsonObject)!.ContainsKey(leaf);
        switch (chain[^1])
        {
            case JsonArray values when leaf.StartsWith("v:", StringComparison.Ordinal):
                if (Step(values, leaf) is { } found)
                {
                    values.Remove(found);
                }

                break;
            case JsonObject o when !isKeyField:
                o.Remove(leaf);
                break;
        }

        for (var i = chain.Count - 1; i > 0; i--)
        {
            var node = chain[i];
            var component = parts[i - 1];
            var empty = node switch
            {
                JsonArray a => a.Count == 0,
                JsonObject o when component.StartsWith("k:", StringComparison.Ordinal) =>
                    o.Select(kv => kv.Key).All(k => (JsonNode.Parse(component[2..]) as JsonObject)!.ContainsKey(k)),
                JsonObject o => o.Count == 0,
                _ => false,
            };
            if (!empty)
            {
                return;
            }

            switch (chain[i - 1])
            {
                case JsonArray parentArray:
                    parentArray.Remove(node);
                    break;
                case JsonObject parentObject:
                    parentObject.Remove(component);
                    break;
            }
        }
    }

    /// <summary>managedFields <c>fieldsV1</c> for a set of leaf paths.</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> fields)
    {
        var root = new JsonObject();
        foreach (var path in fields.OrderBy(p => p, StringComparer.Ordinal))
        {
            var node = root;
            foreach (var part in path.Split(Sep))
            {
                var name = part.StartsWith("k:", StringComparison.Ordinal) || part.StartsWith("v:", StringComparison.Ordinal) ? part : "f:" + part;
                if (node[name] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[name] = child;
                    if (name[0] is 'k')
                    {
                        child["."] = new JsonObject();
                    }
                }

                node = child;
            }
        }

        return root;
    }

    /// <summary>Leaf paths of a <c>fieldsV1</c> tree.</summary>
    public static void FromFieldsV1(JsonObject f, string? prefix, HashSet<string> fields)
    {
        foreach (var (k, v) in f)
        {
            if (!(k.StartsWith("f:", StringComparison.Ordinal) || k.StartsWith("k:", StringComparison.Ordinal) || k.StartsWith("v:", StringComparison.Ordinal)))
            {
                continue;
            }

            var component = k.StartsWith("f:", StringComparison.Ordinal) ? k[2..] : k;
            var path = prefix is null ? component : prefix + Sep + component;
            if (v is JsonObject child && child.Any(c => c.Key != "."))
            {
                FromFieldsV1(child, path, fields);
            }
            else
            {
                fields.Add(path);
            }
        }
    }
}
