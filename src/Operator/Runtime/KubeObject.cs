using System.Text.Json;
using k8s;

namespace CryptoIndex.Operator.Runtime;

/// <summary>
/// An immutable snapshot of one object as the cache holds it: the raw JSON plus the metadata the runtime needs.
/// <see cref="Json"/> is a <see cref="JsonElement"/>, so handing it to many readers is safe.
/// </summary>
public sealed class KubeObject
{
    private KubeObject(JsonElement json, ObjectKey key)
    {
        Json = json;
        Key = key;
        var metadata = json.TryGetProperty("metadata", out var m) ? m : default;
        ResourceVersion = StringOf(metadata, "resourceVersion") ?? "";
        Uid = StringOf(metadata, "uid") ?? "";
        Generation = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("generation", out var g) &&
                     g.ValueKind == JsonValueKind.Number ? g.GetInt64() : 0;
        IsDeleting = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("deletionTimestamp", out var d) &&
                     d.ValueKind == JsonValueKind.String;
        Finalizers = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("finalizers", out var f) &&
                     f.ValueKind == JsonValueKind.Array ? [.. f.EnumerateArray().Select(e => e.GetString() ?? "")] : [];
    }

    public ObjectKey Key { get; }

    public JsonElement Json { get; }

    public string ResourceVersion { get; }

    public string Uid { get; }

    public long Generation { get; }

    public bool IsDeleting { get; }

    public IReadOnlyList<string> Finalizers { get; }

    /// <summary>Parses an object from a list item or a watch event payload; the element is cloned.</summary>
    public static KubeObject From(JsonElement json)
    {
        var clone = json.Clone();
        var metadata = clone.GetProperty("metadata");
        return new KubeObject(clone, new ObjectKey(StringOf(metadata, "namespace"), StringOf(metadata, "name") ?? ""));
    }

    /// <summary>Parses raw JSON text.</summary>
    public static KubeObject Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return From(doc.RootElement);
    }

    /// <summary>An annotation value, or null.</summary>
    public string? Annotation(string name) =>
        Json.TryGetProperty("metadata", out var m) && m.TryGetProperty("annotations", out var a) &&
        a.ValueKind == JsonValueKind.Object && a.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    /// <summary>The <c>status</c> object, or an undefined element when there is none.</summary>
    public JsonElement Status => Json.TryGetProperty("status", out var s) ? s : default;

    /// <summary>A mutable copy of <c>status</c> (empty if none) to build the desired status from, so unchanged
    /// fields such as condition transition times stay equal and the status writer can skip the write.</summary>
    public System.Text.Json.Nodes.JsonObject StatusCopy() =>
        Status.ValueKind == JsonValueKind.Object
            ? System.Text.Json.Nodes.JsonNode.Parse(Status.GetRawText())!.AsObject()
            : [];

    /// <summary>Deserializes into a KubernetesClient model (or any type) with the client's JSON settings.</summary>
    public T As<T>() => KubernetesJson.Deserialize<T>(Json.GetRawText());

    private static string? StringOf(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;
}
