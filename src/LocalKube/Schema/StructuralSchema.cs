using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Schema;

/// <summary>
/// What the apiextensions-apiserver does with a CRD's <c>openAPIV3Schema</c> on every write of a custom resource,
/// in its order: prune unknown fields, apply defaults, validate. CEL rules (<c>x-kubernetes-validations</c>) and
/// <c>format</c> checks are not evaluated (see README).
/// </summary>
internal static partial class StructuralSchema
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339();

    private static readonly HashSet<string> RootKeep = new(StringComparer.Ordinal) { "apiVersion", "kind", "metadata" };

    /// <summary>Removes fields the schema does not declare; returns their paths (for strict/warn field validation).</summary>
    public static List<string> Prune(JsonObject obj, JsonObject schema)
    {
        var pruned = new List<string>();
        PruneObject(obj, schema, string.Empty, pruned, isRoot: true);
        return pruned;
    }

    private static bool Flag(JsonObject s, string name) =>
        s[name] is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string Index(string path, int i) => path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]";

    private static void PruneNode(JsonNode? node, JsonObject schema, string path, List<string> pruned)
    {
        switch (node)
        {
            case JsonObject o:
                PruneObject(o, schema, path, pruned, isRoot: false);
                break;
            case JsonArray a when schema["items"] is JsonObject items:
                for (var i = 0; i < a.Count; i++)
                {
                    PruneNode(a[i], items, Index(path, i), pruned);
                }

                break;
        }
    }

    private static void PruneObject(JsonObject o, JsonObject schema, string path, List<string> pruned, bool isRoot)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"];
        var preserve = Flag(schema, "x-kubernetes-preserve-unknown-fields");
        var embedded = Flag(schema, "x-kubernetes-embedded-resource");
        foreach (var (key, value) in o.ToList())
        {
            if ((isRoot || embedded) && RootKeep.Contains(key))
            {
                continue;
            }

            var propSchema = properties?[key] as JsonObject;
            if (propSchema is null && additional is JsonObject addSchema)
            {
                propSchema = addSchema;
            }

            if (propSchema is null)
            {
                var allowed = preserve || (additional is JsonValue av && av.TryGetValue<bool>(out var ab) && ab);
                if (!allowed)
                {
                    o.Remove(key);
                    pruned.Add(Child(path, key));
                }

                continue;
            }

            if (value is null && !Flag(propSchema, "nullable"))
            {
                // A null for a non-nullable field is dropped (and may then be defaulted), not an error.
                o.Remove(key);
                continue;
            }

            PruneNode(value, propSchema, Child(path, key), pruned);
        }
    }

    /// <summary>Applies <c>default</c>s to absent fields whose parent object exists.</summary>
    public static void Default(JsonNode? node, JsonObject schema)
    {
        switch (node)
        {
            case JsonObject o:
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (key, prop) in properties)
                    {
                        if (prop is JsonObject ps && !o.ContainsKey(key) && ps["default"] is { } d)
                        {
                            o[key] = d.DeepClone();
                        }
                    }

                    foreach (var (key, prop) in properties)
                    {
                        if (prop is JsonObject ps && o[key] is { } child)
                        {
                            Default(child, ps);
                        }
                    }
                }

                if (schema["additionalProperties"] is JsonObject additional)
                {
                    foreach (var (_, child) in o.ToList())
                    {
                        Default(child, additional);
                    }
                }

                break;
            case JsonArray a when schema["items"] is JsonObject items:
                foreach (var item in a)
                {
                    Default(item, items);
                }

                break;
        }
    }

    /// <summary>Validates against the schema; errors are sorted by field like the real server prints them.</summary>
    public static List<FieldError> Validate(JsonObject obj, JsonObject schema)
    {
        var errors = new List<FieldError>();
        var rootSchema = Json.Clone(schema);
        rootSchema["properties"]?.AsObject().Remove("metadata");
        if (rootSchema["properties"] is JsonObject props)
        {
            props.Remove("apiVersion");
            props.Remove("kind");
        }

        ValidateNode(obj, rootSchema, string.Empty, errors);
        return [.. errors.OrderBy(e => e.Field, StringComparer.Ordinal)];
    }

    private static string GoType(JsonNode? v) => Json.Kind(v) switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => Json.Elem(v!).TryGetInt64(out _) ? "integer" : "number",
        _ => "null",
    };

    private static bool TypeMatches(string type, string actual) =>
        type == actual || (type == "number" && actual == "integer");

    private static void ValidateNode(JsonNode? v, JsonObject s, string path, List<FieldError> errors)
    {
        var field = path.Length == 0 ? "<root>" : path;
        var actual = GoType(v);
        if (actual == "null")
        {
            if (!Flag(s, "nullable") && Json.Str(s["type"]) is { } t && t.Length > 0)
            {
                errors.Add(FieldError.TypeInvalid(field, JsonValue.Create("null"), $"{field} in body must be of type {t}: \"null\""));
            }

            return;
        }

        if (Flag(s, "x-kubernetes-int-or-string"))
        {
            if (actual is not ("integer" or "string"))
            {
                errors.Add(FieldError.TypeInvalid(field, JsonValue.Create(actual), $"{field} in body must be of type integer,string: \"{actual}\""));
                return;
            }
        }
        else if (Json.Str(s["type"]) is { Length: > 0 } type && !TypeMatches(type, actual))
        {
            errors.Add(FieldError.TypeInvalid(field, JsonValue.Create(actual), $"{field} in body must be of type {type}: \"{actual}\""));
            return;
        }

        if (s["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, v)))
        {
            errors.Add(FieldError.NotSupported(field, v, allowed.Select(Json.GoValue)));
        }

        switch (v)
        {
            case JsonObject o:
                ValidateObject(o, s, path, field, errors);
                break;
            case JsonArray a:
                ValidateArray(a, s, path, field, errors);
                break;
            default:
                if (actual == "string")
                {
                    ValidateString(Json.Str(v)!, v, s, field, errors);
                }
                else if (actual is "integer" or "number")
                {
                    ValidateNumber(Json.Elem(v!).GetDouble(), v, s, field, errors);
                }

                break;
        }
    }

    private static void ValidateObject(JsonObject o, JsonObject s, string path, string field, List<FieldError> errors)
    {
        if (s["required"] is JsonArray required)
        {
            foreach (var r in required.Select(Json.Str).OfType<string>())
            {
                if (!o.ContainsKey(r))
                {
                    errors.Add(FieldError.Required(Child(path, r)));
                }
            }
        }

        var properties = s["properties"] as JsonObject;
        foreach (var (key, child) in o)
        {
            if (properties?[key] is JsonObject ps)
            {
                ValidateNode(child, ps, Child(path, key), errors);
            }
            else if (s["additionalProperties"] is JsonObject additional)
            {
                ValidateNode(child, additional, Child(path, key), errors);
            }
        }

        if (Json.TryGetLong(s["minProperties"], out var minP) && o.Count < minP)
        {
            errors.Add(FieldError.Invalid(field, o, $"{field} in body should have at least {Json.Inv(minP)} properties"));
        }

        if (Json.TryGetLong(s["maxProperties"], out var maxP) && o.Count > maxP)
        {
            errors.Add(FieldError.Invalid(field, o, $"{field} in body should have at most {Json.Inv(maxP)} properties"));
        }
    }

    private static void ValidateArray(JsonArray a, JsonObject s, string path, string field, List<FieldError> errors)
    {
        if (s["items"] is JsonObject items)
        {
            for (var i = 0; i < a.Count; i++)
            {
                ValidateNode(a[i], items, Index(path, i), errors);
            }
        }

        if (Json.TryGetLong(s["minItems"], out var min) && a.Count < min)
        {
            errors.Add(FieldError.Invalid(field, a, $"{field} in body should have at least {Json.Inv(min)} items"));
        }

        if (Json.TryGetLong(s["maxItems"], out var max) && a.Count > max)
        {
            errors.Add(FieldError.TooMany(field, a.Count, max));
        }

        var listType = Json.Str(s["x-kubernetes-list-type"]);
        if (listType == "map" && s["x-kubernetes-list-map-keys"] is JsonArray keyNames)
        {
            var seen = new List<JsonObject>();
            for (var i = 0; i < a.Count; i++)
            {
                if (a[i] is not JsonObject item)
                {
                    continue;
                }

                var key = new JsonObject();
                foreach (var k in keyNames.Select(Json.Str).OfType<string>())
                {
                    key[k] = item[k]?.DeepClone();
                }

                if (seen.Any(x => JsonNode.DeepEquals(x, key)))
                {
                    errors.Add(FieldError.Duplicate(Index(path, i), key));
                }
                else
                {
                    seen.Add(key);
                }
            }
        }
        else if (listType == "set" || Flag(s, "uniqueItems"))
        {
            for (var i = 0; i < a.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (JsonNode.DeepEquals(a[i], a[j]))
                    {
                        errors.Add(FieldError.Duplicate(Index(path, i), a[i]));
                        break;
                    }
                }
            }
        }
    }

    private static void ValidateString(string text, JsonNode? v, JsonObject s, string field, List<FieldError> errors)
    {
        var length = new StringInfo(text).LengthInTextElements;
        if (Json.TryGetLong(s["minLength"], out var min) && length < min)
        {
            errors.Add(FieldError.Invalid(field, v, $"{field} in body should be at least {Json.Inv(min)} chars long"));
        }

        if (Json.TryGetLong(s["maxLength"], out var max) && length > max)
        {
            errors.Add(new FieldError("FieldValueTooLong", field, $"Too long: may not be more than {Json.Inv(max)} bytes"));
        }

        if (Json.Str(s["pattern"]) is { } pattern && !Regex.IsMatch(text, AsGoPattern(pattern), RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add(FieldError.Invalid(field, v, $"{field} in body should match '{pattern}'"));
        }

        if (Json.Str(s["format"]) is { } format && !FormatValid(format, text))
        {
            errors.Add(FieldError.TypeInvalid(field, v, $"{field} in body must be of type {format}: \"{text}\""));
        }
    }

    /// <summary>
    /// The API server matches patterns with Go's RE2, whose <c>$</c> is the end of the text; .NET's <c>$</c> also matches
    /// before a final newline, which would let "5%\n" pass <c>^...%$</c>. Each <c>$</c> outside a character class becomes <c>\z</c>.
    /// </summary>
    internal static string AsGoPattern(string pattern)
    {
        var result = new System.Text.StringBuilder(pattern.Length + 4);
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                result.Append(c).Append(pattern[++i]);
                continue;
            }

            inClass = c == '[' || (inClass && c != ']');
            result.Append(c == '$' && !inClass ? @"\z" : c.ToString());
        }

        return result.ToString();
    }

    /// <summary>The string formats the apiserver checks that CRDs commonly use; unknown formats pass.</summary>
    internal static bool FormatValid(string format, string text) => format switch
    {
        "date-time" => Rfc3339().IsMatch(text) &&
            DateTime.TryParseExact(text[..19].Replace(' ', 'T').Replace('t', 'T'), "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "uuid" => Guid.TryParseExact(text, "D", out _),
        "byte" => text.Length % 4 == 0 && Convert.TryFromBase64String(text, new byte[text.Length], out _),
        _ => true,
    };

    private static void ValidateNumber(double n, JsonNode? v, JsonObject s, string field, List<FieldError> errors)
    {
        if (s["minimum"] is JsonValue minV)
        {
            var min = Json.Elem(minV).GetDouble();
            var exclusive = Flag(s, "exclusiveMinimum");
            if (exclusive ? n <= min : n < min)
            {
                errors.Add(FieldError.Invalid(field, v,
                    $"{field} in body should be greater than {(exclusive ? string.Empty : "or equal to ")}{minV.ToJsonString()}"));
            }
        }

        if (s["maximum"] is JsonValue maxV)
        {
            var max = Json.Elem(maxV).GetDouble();
            var exclusive = Flag(s, "exclusiveMaximum");
            if (exclusive ? n >= max : n > max)
            {
                errors.Add(FieldError.Invalid(field, v,
                    $"{field} in body should be less than {(exclusive ? string.Empty : "or equal to ")}{maxV.ToJsonString()}"));
            }
        }

        if (Json.Str(s["format"]) == "int32" && (n < int.MinValue || n > int.MaxValue))
        {
            errors.Add(FieldError.TypeInvalid(field, v, $"{field} in body must be of type int32: \"{v!.ToJsonString()}\""));
        }

        if (s["multipleOf"] is JsonValue mulV)
        {
            var mul = Json.Elem(mulV).GetDouble();
            if (mul != 0 && Math.Abs(Math.IEEERemainder(n, mul)) > 1e-9)
            {
                errors.Add(FieldError.Invalid(field, v, $"{field} in body should be a multiple of {mulV.ToJsonString()}"));
            }
        }
    }
}
