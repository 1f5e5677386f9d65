using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Schema;

/// <summary>
/// What a structural schema allows under <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c> and <c>not</c>: value validations
/// only (apiextensions-apiserver's <c>validateNestedValueValidation</c>). A <c>type</c>, <c>default</c>, description
/// or Kubernetes extension there is refused, except int-or-string's own <c>anyOf: [{type: integer}, {type: string}]</c>
/// (also as the first <c>allOf</c> item's anyOf), exactly so: a branch that also bounds its value
/// (<c>{type: integer, minimum: 0}</c>) is an ordinary branch with a type, and a real server refuses the CRD.
/// </summary>
internal static class StructuralJunctors
{
    private static readonly (string Key, string Detail)[] ForbiddenGenerics =
    [
        ("type", "must be empty to be structural"),
        ("additionalProperties", "must be undefined to be structural"),
        ("default", "must be undefined to be structural"),
        ("title", "must be empty to be structural"),
        ("description", "must be empty to be structural"),
    ];

    private static readonly string[] ForbiddenFlags =
        ["nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string"];

    private static readonly string[] ForbiddenTypes = ["x-kubernetes-list-type", "x-kubernetes-map-type"];

    /// <summary>Errors of the junctors of the schema node <paramref name="s"/> (itself outside any junctor).</summary>
    public static void Check(JsonObject s, string path, List<FieldError> errors) => CheckJunctors(s, path, skipAnyOf: false, errors);

    private static void CheckJunctors(JsonObject s, string path, bool skipAnyOf, List<FieldError> errors)
    {
        if (!skipAnyOf && !IsIntOrStringPair(s["anyOf"]))
        {
            CheckEach(s["anyOf"], path + ".anyOf", _ => false, errors);
        }

        var allOfPair = s["allOf"] is JsonArray { Count: > 0 } allOf && allOf[0] is JsonObject first && IsIntOrStringPair(first["anyOf"]);
        CheckEach(s["allOf"], path + ".allOf", i => i == 0 && allOfPair, errors);
        CheckEach(s["oneOf"], path + ".oneOf", _ => false, errors);
        if (s["not"] is JsonObject not)
        {
            CheckNested(not, path + ".not", skipAnyOf: false, errors);
        }
    }

    private static void CheckEach(JsonNode? list, string path, Func<int, bool> skipAnyOf, List<FieldError> errors)
    {
        if (list is not JsonArray items)
        {
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is JsonObject item)
            {
                CheckNested(item, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", skipAnyOf(i), errors);
            }
        }
    }

    private static void CheckNested(JsonObject v, string path, bool skipAnyOf, List<FieldError> errors)
    {
        CheckJunctors(v, path, skipAnyOf, errors);
        if (v["items"] is JsonObject items)
        {
            CheckNested(items, path + ".items", skipAnyOf: false, errors);
        }

        if (v["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                if (name == "metadata")
                {
                    errors.Add(FieldError.Forbidden($"{path}.properties[{name}]", "must not be specified in a nested context"));
                }

                if (child is JsonObject c)
                {
                    CheckNested(c, $"{path}.properties[{name}]", skipAnyOf: false, errors);
                }
            }
        }

        foreach (var (key, detail) in ForbiddenGenerics)
        {
            if (v[key] is { } value && !(key == "type" && value is JsonValue t && t.TryGetValue<string>(out var type) && type.Length == 0))
            {
                errors.Add(FieldError.Forbidden($"{path}.{key}", detail));
            }
        }

        foreach (var flag in ForbiddenFlags.Where(f => v[f] is JsonValue b && b.TryGetValue<bool>(out var set) && set))
        {
            errors.Add(FieldError.Forbidden($"{path}.{flag}", "must be false to be structural"));
        }

        if (v["x-kubernetes-list-map-keys"] is JsonArray { Count: > 0 })
        {
            errors.Add(FieldError.Forbidden(path + ".x-kubernetes-list-map-keys", "must be empty to be structural"));
        }

        foreach (var key in ForbiddenTypes.Where(k => v[k] is not null))
        {
            errors.Add(FieldError.Forbidden($"{path}.{key}", "must be undefined to be structural"));
        }

        if (v["x-kubernetes-validations"] is JsonArray { Count: > 0 })
        {
            errors.Add(FieldError.Forbidden(path + ".x-kubernetes-validations", "must be empty to be structural"));
        }
    }

    /// <summary>Exactly <c>[{type: integer}, {type: string}]</c>, nothing else in either branch.</summary>
    private static bool IsIntOrStringPair(JsonNode? anyOf) =>
        anyOf is JsonArray { Count: 2 } pair
        && JsonNode.DeepEquals(pair[0], new JsonObject { ["type"] = "integer" })
        && JsonNode.DeepEquals(pair[1], new JsonObject { ["type"] = "string" });
}
