using System.Text.Json.Nodes;

namespace CryptoIndex.Operator.Runtime.Status;

/// <summary>Builds an RFC 7386 JSON merge patch that turns one document into another (arrays are replaced whole).</summary>
public static class JsonMergePatch
{
    /// <summary>The patch from <paramref name="from"/> to <paramref name="to"/>, or null when they are equal.</summary>
    public static JsonNode? Diff(JsonNode? from, JsonNode? to)
    {
        if (from is not JsonObject a || to is not JsonObject b)
        {
            return JsonNode.DeepEquals(from, to) ? null : to?.DeepClone();
        }

        // Two objects are equal exactly when no field differs: each field is compared once, on the way down (comparing
        // the whole documents first compared every unchanged field twice, and a nested one once more per level).
        var patch = new JsonObject();
        foreach (var (name, value) in b)
        {
            if (!a.TryGetPropertyValue(name, out var old))
            {
                patch[name] = value?.DeepClone();
            }
            else if (old is JsonObject && value is JsonObject)
            {
                if (Diff(old, value) is { } nested)
                {
                    patch[name] = nested;
                }
            }
            else if (!JsonNode.DeepEquals(old, value))
            {
                patch[name] = value?.DeepClone();
            }
        }

        foreach (var (name, _) in a)
        {
            if (!b.ContainsKey(name))
            {
                patch[name] = null; // null removes the field
            }
        }

        return patch.Count == 0 ? null : patch;
    }
}
