using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Patches;

/// <summary>RFC 7386 JSON merge patch: objects merge recursively, <c>null</c> deletes, everything else replaces
/// (arrays included, which is why kubectl's client-side apply replaces lists wholesale on custom resources).</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Apply(result[key], value);
                result[key] = merged;
            }
        }

        return result;
    }

    /// <summary>Removes strategic-merge-patch directive keys (they start with <c>$</c>) at every level.</summary>
    public static JsonObject WithoutDirectives(JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (key.StartsWith('$'))
            {
                patch.Remove(key);
            }
            else if (value is JsonObject child)
            {
                WithoutDirectives(child);
            }
        }

        return patch;
    }
}
