using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>Small helpers over System.Text.Json.Nodes; objects are stored as plain <see cref="JsonObject"/> trees.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static JsonNode? Parse(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"invalid JSON body: {e.Message}");
        }
    }

    public static JsonObject ParseObject(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiException.BadRequest("the request body is empty");
        }

        return Parse(text) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
    }

    public static JsonObject Clone(JsonObject o) => (JsonObject)o.DeepClone();

    public static JsonObject Metadata(JsonObject o)
    {
        if (o["metadata"] is JsonObject m)
        {
            return m;
        }

        var created = new JsonObject();
        o["metadata"] = created;
        return created;
    }

    public static string? Str(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string? MetaString(JsonObject o, string field) => Str((o["metadata"] as JsonObject)?[field]);

    public static string Name(JsonObject o) => MetaString(o, "name") ?? string.Empty;

    public static string Namespace(JsonObject o) => MetaString(o, "namespace") ?? string.Empty;

    public static bool TryGetLong(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue v)
        {
            return false;
        }

        var el = Elem(v);
        if (el.ValueKind == JsonValueKind.Number && el.TryGetInt64(out value))
        {
            return true;
        }

        return false;
    }

    /// <summary>A value as a JsonElement whether it was parsed (element-backed) or built from a CLR value.</summary>
    public static JsonElement Elem(JsonNode node) =>
        node is JsonValue v && v.TryGetValue<JsonElement>(out var e) ? e : JsonSerializer.SerializeToElement(node);

    public static JsonValueKind Kind(JsonNode? node) => node switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        _ => node.GetValueKind(),
    };

    /// <summary>Renders a value the way Go's <c>%#v</c> shows it in apimachinery field errors.</summary>
    public static string GoValue(JsonNode? value) => Kind(value) switch
    {
        JsonValueKind.String => "\"" + Str(value) + "\"",
        JsonValueKind.Null or JsonValueKind.Undefined => "null",
        JsonValueKind.Object => "map[string]interface {}" + value!.ToJsonString(Compact),
        JsonValueKind.Array => "[]interface {}" + value!.ToJsonString(Compact),
        _ => value!.ToJsonString(Compact),
    };

    /// <summary>Printable text of a scalar (strings without quotes, everything else as JSON).</summary>
    public static string Text(JsonNode? value) => Kind(value) switch
    {
        JsonValueKind.String => Str(value)!,
        JsonValueKind.Null or JsonValueKind.Undefined => string.Empty,
        _ => value!.ToJsonString(Compact),
    };

    public static string Rfc3339(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Inv(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>Deep equality after removing the given top-level metadata fields from copies of both.</summary>
    public static bool EqualIgnoringMeta(JsonObject a, JsonObject b, params string[] metadataFields)
    {
        var ca = Clone(a);
        var cb = Clone(b);
        foreach (var f in metadataFields)
        {
            (ca["metadata"] as JsonObject)?.Remove(f);
            (cb["metadata"] as JsonObject)?.Remove(f);
        }

        return JsonNode.DeepEquals(ca, cb);
    }
}
