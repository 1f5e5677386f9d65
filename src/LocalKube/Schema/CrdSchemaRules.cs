using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Schema;

/// <summary>
/// Rules apiextensions-apiserver checks on a CRD's <c>openAPIV3Schema</c>, refusing the CRD (422) when one is broken:
/// lists with <c>x-kubernetes-list-type: map</c> (<c>ValidateCustomResourceDefinitionOpenAPISchema</c>,
/// <c>validateMapListKeysMapSet</c>: keys neither required nor defaulted are refused) and the structural-schema rules
/// that every field, item and the root declare a <c>type</c> (<c>validateStructuralInvariants</c>) and that allOf,
/// anyOf, oneOf and not hold value validations only (<see cref="StructuralJunctors"/>). A CRD accepted here without
/// them would fail to install in a cluster.
/// </summary>
internal static class CrdSchemaRules
{
    /// <summary>
    /// Errors of every version's schema. A real server lets an update keep a violation of the required-or-defaulted
    /// rule that the stored CRD already had (ratcheting); here every stored CRD passed this check, so none has one.
    /// </summary>
    public static List<FieldError> Validate(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var versions = ((crd["spec"] as JsonObject)?["versions"] as JsonArray)?.ToList() ?? [];
        for (var i = 0; i < versions.Count; i++)
        {
            if (((versions[i] as JsonObject)?["schema"] as JsonObject)?["openAPIV3Schema"] is JsonObject schema)
            {
                var path = $"spec.versions[{Inv(i)}].schema.openAPIV3Schema";
                CheckType(schema, path, "must not be empty at the root", errors);
                if (Json.Str(schema["type"]) is { Length: > 0 } rootType && rootType != "object")
                {
                    errors.Add(FieldError.Invalid(path + ".type", schema["type"], "must be object at the root"));
                }

                Walk(schema, path, errors);
            }
        }

        return errors;
    }

    private static void Walk(JsonObject s, string path, List<FieldError> errors)
    {
        CheckListMap(s, path, errors);
        if (s["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                if (child is JsonObject c)
                {
                    CheckType(c, $"{path}.properties[{name}]", "must not be empty for specified object fields", errors);
                    Walk(c, $"{path}.properties[{name}]", errors);
                }
            }
        }

        if (s["items"] is JsonObject items)
        {
            CheckType(items, path + ".items", "must not be empty for specified array items", errors);
            Walk(items, path + ".items", errors);
        }

        if (s["properties"] is JsonObject { Count: > 0 } && (s["additionalProperties"] is JsonObject || s["additionalProperties"] is JsonValue v && v.TryGetValue<bool>(out var allows) && !allows))
        {
            errors.Add(FieldError.Forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"));
        }

        if (s["additionalProperties"] is JsonObject additional)
        {
            CheckType(additional, path + ".additionalProperties", "must not be empty for specified object fields", errors);
            Walk(additional, path + ".additionalProperties", errors);
        }

        // Under allOf, anyOf, oneOf and not only value validations are allowed: no type is required there, and none may be given.
        StructuralJunctors.Check(s, path, errors);
    }

    /// <summary>A structural schema names the type of every node, except int-or-string and preserve-unknown-fields ones.</summary>
    private static void CheckType(JsonObject s, string path, string detail, List<FieldError> errors)
    {
        if (Json.Str(s["type"]) is not { Length: > 0 } && !IsTrue(s["x-kubernetes-int-or-string"]) && !IsTrue(s["x-kubernetes-preserve-unknown-fields"]))
        {
            errors.Add(new FieldError("FieldValueRequired", path + ".type", "Required value: " + detail));
        }
    }

    private static void CheckListMap(JsonObject s, string path, List<FieldError> errors)
    {
        var listType = Json.Str(s["x-kubernetes-list-type"]);
        var keys = (s["x-kubernetes-list-map-keys"] as JsonArray)?.Select(Json.Str).OfType<string>().ToList() ?? [];
        var keysText = "[]string{" + string.Join(", ", keys.Select(k => "\"" + k + "\"")) + "}";
        if (keys.Count > 0 && listType != "map")
        {
            errors.Add(FieldError.Forbidden(path + ".x-kubernetes-list-map-keys", "must only be used if x-kubernetes-list-type is map"));
        }

        if (listType != "map")
        {
            return;
        }

        if (keys.Count == 0)
        {
            errors.Add(new FieldError("FieldValueRequired", path + ".x-kubernetes-list-map-keys",
                "Required value: must not be empty if x-kubernetes-list-type is map"));
        }

        if (s["items"] is not JsonObject items)
        {
            errors.Add(new FieldError("FieldValueRequired", path + ".items", "Required value: must have a schema if x-kubernetes-list-type is map"));
            return;
        }

        if (Json.Str(items["type"]) != "object")
        {
            errors.Add(FieldError.Invalid(path + ".items.type", items["type"], "must be object if parent array's x-kubernetes-list-type is map"));
            return;
        }

        var properties = items["properties"] as JsonObject;
        var required = (items["required"] as JsonArray)?.Select(Json.Str).OfType<string>().ToHashSet(StringComparer.Ordinal) ?? [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (properties?[key] is not JsonObject keySchema)
            {
                errors.Add(new FieldError("FieldValueInvalid", path + ".x-kubernetes-list-map-keys",
                    $"Invalid value: {keysText}: entries must all be names of item properties"));
            }
            else
            {
                if (Json.Str(keySchema["type"]) is "array" or "object")
                {
                    errors.Add(FieldError.Invalid($"{path}.items.properties[{key}].type", items["type"],
                        "must be a scalar type if parent array's x-kubernetes-list-type is map"));
                }

                if (!required.Contains(key) && keySchema["default"] is null)
                {
                    errors.Add(new FieldError("FieldValueRequired", $"{path}.items.properties[{key}].default",
                        "Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
                }

                if (IsTrue(keySchema["nullable"]))
                {
                    errors.Add(FieldError.Forbidden($"{path}.items.properties[{key}].nullable",
                        "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"));
                }
            }

            if (!seen.Add(key))
            {
                errors.Add(new FieldError("FieldValueInvalid", path + ".x-kubernetes-list-map-keys",
                    $"Invalid value: {keysText}: must not contain duplicate entries"));
            }
        }

        if (IsTrue(items["nullable"]))
        {
            errors.Add(FieldError.Forbidden(path + ".items.nullable", "cannot be nullable when x-kubernetes-list-type is map"));
        }
    }

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static string Inv(int i) => i.ToString(CultureInfo.InvariantCulture);
}
