using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CryptoIndex.Operator.Api.Schema;

namespace CryptoIndex.Operator.Crd;

/// <summary>
/// Builds a structural OpenAPI v3 schema from the API's C# types and their attributes, so the CRD is derived from the
/// types and the two cannot drift apart. Property names follow the JSON (camelCase) naming of <see cref="ApiJson"/>.
/// </summary>
internal static class SchemaGenerator
{
    public static JsonObject For(Type type) => ObjectSchema(type, description: null);

    private static JsonObject ObjectSchema(Type type, string? description)
    {
        var schema = new JsonObject
        {
            ["description"] = description ?? type.GetCustomAttribute<DescriptionAttribute>()?.Description,
            ["type"] = "object",
        };
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var name = ApiJson.Options.PropertyNamingPolicy!.ConvertName(property.Name);
            properties[name] = PropertySchema(property);
            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        schema["properties"] = properties;
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        AddRules(schema, type.GetCustomAttributes<CelRuleAttribute>());
        return Compact(schema);
    }

    private static JsonObject PropertySchema(PropertyInfo property)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description;
        JsonObject schema;
        if (property.GetCustomAttribute<PreserveUnknownFieldsAttribute>() is not null)
        {
            schema = new JsonObject { ["description"] = description, ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        }
        else if (property.GetCustomAttribute<IntOrStringAttribute>() is not null)
        {
            schema = new JsonObject { ["description"] = description, ["x-kubernetes-int-or-string"] = true };
        }
        else if (type == typeof(string))
        {
            schema = new JsonObject { ["description"] = description, ["type"] = "string" };
            if (property.GetCustomAttribute<DateTimeFormatAttribute>() is not null)
            {
                schema["format"] = "date-time";
            }
        }
        else if (type == typeof(bool))
        {
            schema = new JsonObject { ["description"] = description, ["type"] = "boolean" };
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            schema = new JsonObject { ["description"] = description, ["type"] = "integer", ["format"] = type == typeof(int) ? "int32" : "int64" };
        }
        else if (type.IsEnum)
        {
            schema = new JsonObject { ["description"] = description, ["type"] = "string", ["enum"] = new JsonArray([.. EnumNames(type).Select(n => (JsonNode?)n)]) };
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            schema = new JsonObject { ["description"] = description, ["type"] = "array", ["items"] = ObjectSchema(type.GetGenericArguments()[0], null) };
            if (property.GetCustomAttribute<ListMapAttribute>() is { } listMap)
            {
                schema["x-kubernetes-list-type"] = "map";
                schema["x-kubernetes-list-map-keys"] = new JsonArray([.. listMap.Keys.Select(k => (JsonNode?)k)]);
            }
        }
        else
        {
            schema = ObjectSchema(type, description);
        }

        AddConstraints(schema, property, type);
        AddRules(schema, property.GetCustomAttributes<CelRuleAttribute>());
        return Compact(schema);
    }

    private static void AddConstraints(JsonObject schema, PropertyInfo property, Type type)
    {
        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern)
        {
            schema["pattern"] = pattern.Regex;
        }

        if (property.GetCustomAttribute<SizeAttribute>() is { } size)
        {
            var isList = type.IsGenericType;
            if (size.Minimum > 0)
            {
                schema[isList ? "minItems" : "minLength"] = size.Minimum;
            }

            schema[isList ? "maxItems" : "maxLength"] = size.Maximum;
        }

        if (property.GetCustomAttribute<BoundsAttribute>() is { } bounds)
        {
            schema["minimum"] = bounds.Minimum;
            schema["maximum"] = bounds.Maximum;
        }

        if (property.GetCustomAttribute<DefaultValueAttribute>() is { Value: { } value })
        {
            schema["default"] = DefaultOf(value, type);
        }
    }

    private static JsonNode DefaultOf(object value, Type type) => value switch
    {
        "{}" => new JsonObject(),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        string s when type.IsEnum => JsonValue.Create(EnumNames(type).Single(n => string.Equals(n, s, StringComparison.OrdinalIgnoreCase))),
        string s => JsonValue.Create(s),
        _ => throw new InvalidOperationException($"unsupported default {value} for {type}"),
    };

    private static IEnumerable<string> EnumNames(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);

    private static void AddRules(JsonObject schema, IEnumerable<CelRuleAttribute> rules)
    {
        var list = new JsonArray();
        foreach (var rule in rules)
        {
            var node = new JsonObject { ["rule"] = rule.Rule, ["message"] = rule.Message };
            if (rule.FieldPath is { } path)
            {
                node["fieldPath"] = path;
            }

            list.Add(node);
        }

        if (list.Count > 0)
        {
            schema["x-kubernetes-validations"] = list;
        }
    }

    /// <summary>Drops null entries (an absent description), so the schema only says what is known.</summary>
    private static JsonObject Compact(JsonObject schema)
    {
        foreach (var key in schema.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            schema.Remove(key);
        }

        return schema;
    }
}

/// <summary>The JSON conventions of the API: camelCase names, enums as strings, absent rather than null.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
