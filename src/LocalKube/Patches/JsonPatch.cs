using System.Globalization;
using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Patches;

/// <summary>RFC 6902 JSON patch (add, remove, replace, move, copy, test) over a JsonNode tree.
/// Failures throw <see cref="JsonPatchException"/>; the server turns them into 422 Invalid.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject target, JsonArray operations)
    {
        JsonNode root = target.DeepClone();
        foreach (var opNode in operations)
        {
            if (opNode is not JsonObject op)
            {
                throw new JsonPatchException("each JSON patch operation must be an object");
            }

            var kind = op["op"]?.GetValue<string>() ?? throw new JsonPatchException("missing 'op'");
            var path = op["path"]?.GetValue<string>() ?? throw new JsonPatchException("missing 'path'");
            switch (kind)
            {
                case "add":
                    root = Add(root, path, Value(op));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    root = Add(root, path, Value(op));
                    break;
                case "move":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw new JsonPatchException("missing 'from'");
                    var value = Get(root, from).DeepCloneOrNull();
                    Remove(root, from);
                    root = Add(root, path, value);
                    break;
                }

                case "copy":
                {
                    var from = op["from"]?.GetValue<string>() ?? throw new JsonPatchException("missing 'from'");
                    root = Add(root, path, Get(root, from).DeepCloneOrNull());
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw new JsonPatchException($"testing value {path} failed");
                    }

                    break;
                default:
                    throw new JsonPatchException($"Unexpected kind: {kind}");
            }
        }

        return root as JsonObject ?? throw new JsonPatchException("the patched document is not an object");
    }

    private static JsonNode? DeepCloneOrNull(this JsonNode? node) => node?.DeepClone();

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw new JsonPatchException("missing 'value'");

    private static List<string> Tokens(string path)
    {
        if (path.Length == 0)
        {
            return [];
        }

        if (path[0] != '/')
        {
            throw new JsonPatchException($"invalid JSON pointer '{path}'");
        }

        return path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static JsonNode? Get(JsonNode root, string path)
    {
        JsonNode? node = root;
        foreach (var t in Tokens(path))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(t, out var child) => child,
                JsonArray a when int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => throw new JsonPatchException($"doc is missing path: \"{path}\""),
            };
        }

        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string path)
    {
        var tokens = Tokens(path);
        if (tokens.Count == 0)
        {
            throw new JsonPatchException("cannot operate on the document root");
        }

        var parentPath = "/" + string.Join("/", tokens.Take(tokens.Count - 1).Select(t => t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
        var parent = tokens.Count == 1 ? root : Get(root, parentPath);
        return (parent ?? throw new JsonPatchException($"doc is missing path: \"{path}\""), tokens[^1]);
    }

    private static JsonNode Add(JsonNode root, string path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value ?? throw new JsonPatchException("cannot replace the root with null");
        }

        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new JsonPatchException($"doc is missing path: \"{path}\"");
        }

        return root;
    }

    private static void Remove(JsonNode root, string path)
    {
        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                a.RemoveAt(i);
                break;
            default:
                throw new JsonPatchException($"doc is missing path: \"{path}\"");
        }
    }
}

/// <summary>A JSON patch that cannot be applied.</summary>
internal sealed class JsonPatchException(string message) : Exception(message);
