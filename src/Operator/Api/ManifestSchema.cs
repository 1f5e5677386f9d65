using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CryptoIndex.Operator.Crd;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// The IndexFund schema (the one the CRD carries) applied to a manifest read from a file, as the API server applies it:
/// fields it does not know are reported, and a value of the wrong type is described by its field and what it should be.
/// </summary>
internal static partial class ManifestSchema
{
    private static readonly Lazy<JsonObject> Root = new(() =>
        (JsonObject)CrdGenerator.IndexFund()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!);

    /// <summary>Every field of <paramref name="manifest"/> the schema does not declare, as paths such as <c>spec.asetCap</c>.</summary>
    public static List<string> UnknownFields(JsonObject manifest)
    {
        var unknown = new List<string>();
        Walk(manifest, Root.Value, string.Empty, unknown, []);
        return unknown;
    }

    /// <summary>
    /// Values the schema's <c>enum</c> or <c>maxLength</c> refuse, as the API server does: an enum value is matched
    /// exactly (the API types' enum converters would read <c>marketcap</c> or <c>2</c> as <c>MarketCap</c>), and the
    /// operator never sees a string longer than the schema allows, so only this reader has to refuse it.
    /// </summary>
    public static List<string> InvalidValues(JsonObject manifest)
    {
        var invalid = new List<string>();
        Walk(manifest, Root.Value, string.Empty, [], invalid);
        return invalid;
    }

    private static void CheckValue(JsonValue value, JsonObject schema, string path, List<string> invalid)
    {
        var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
        if (schema["enum"] is JsonArray values && !values.Any(v => text is not null && v?.GetValue<string>() == text))
        {
            invalid.Add($"{path}: unsupported value {value.ToJsonString()}: supported values: {string.Join(", ", values.Select(v => $"\"{v}\""))}");
        }

        if (text is not null && schema["maxLength"]?.GetValue<int>() is { } max && text.Length > max)
        {
            invalid.Add($"{path}: too long: {text.Length} characters, at most {max}");
        }
    }

    /// <summary>A deserialization error in terms of the manifest: the field's path, and its type and description.</summary>
    public static string Describe(JsonException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Path is not { Length: > 1 } path)
        {
            return error.Message;
        }

        var field = path.TrimStart('$', '.');
        var schema = At(field);
        if (schema?["enum"] is JsonArray values)
        {
            return $"{field}: must be one of {string.Join(", ", values.Select(v => v?.ToString()))}";
        }

        var expected = schema?["type"]?.GetValue<string>() is { } type
            ? $"must be {(type is "object" or "array" or "integer" ? "an" : "a")} {type}{Range(schema)}"
            : "has the wrong type";
        var description = schema?["description"]?.GetValue<string>() is { } text ? $" ({text})" : string.Empty;
        return $"{field}: {expected}{description}";
    }

    // " from 1 to 500" when the schema bounds the number (a value out of an int's range fails as a type error).
    private static string Range(JsonObject schema) =>
        (schema["minimum"], schema["maximum"]) is ({ } minimum, { } maximum) ? $" from {minimum} to {maximum}" : string.Empty;

    private static void Walk(JsonNode? node, JsonObject schema, string path, List<string> unknown, List<string> invalid)
    {
        if (node is JsonValue scalar)
        {
            CheckValue(scalar, schema, path, invalid);
        }

        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true)
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (name, value) in obj)
                {
                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    if (properties[name] is JsonObject childSchema)
                    {
                        Walk(value, childSchema, child, unknown, invalid);
                    }
                    else
                    {
                        unknown.Add(child);
                    }
                }

                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject values:
                foreach (var (name, value) in obj)
                {
                    Walk(value, values, $"{path}.{name}", unknown, invalid);
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i], items, $"{path}[{i}]", unknown, invalid);
                }

                break;
        }
    }

    // The schema of a field given as a System.Text.Json path (spec.constituents[1].weight), if it has one.
    private static JsonObject? At(string path)
    {
        JsonObject? schema = Root.Value;
        foreach (Match step in PathStep().Matches(path))
        {
            schema = step.Groups["index"].Success
                ? schema?["items"] as JsonObject
                : schema?["properties"]?[step.Groups["name"].Value] as JsonObject ?? schema?["additionalProperties"] as JsonObject;
        }

        return schema;
    }

    [GeneratedRegex(@"(?<name>[^.\[\]']+)|\[(?<index>\d+)\]|\['(?<name>[^']+)'\]")]
    private static partial Regex PathStep();
}
