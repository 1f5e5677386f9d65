namespace CryptoIndex.Operator.Api.Schema;

// Attributes the CRD generator reads from the API types. Descriptions come from System.ComponentModel.Description,
// defaults from System.ComponentModel.DefaultValue, required from System.ComponentModel.DataAnnotations.Required.

/// <summary>The string must match this regular expression (ECMA 262, as the API server checks it).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string regex) : Attribute
{
    public string Regex { get; } = regex;
}

/// <summary>Inclusive numeric bounds.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BoundsAttribute(double minimum, double maximum) : Attribute
{
    public double Minimum { get; } = minimum;

    public double Maximum { get; } = maximum;
}

/// <summary>Length bounds: characters for strings, items for lists.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SizeAttribute(int minimum, int maximum) : Attribute
{
    public int Minimum { get; } = minimum;

    public int Maximum { get; } = maximum;
}

/// <summary>The field accepts an integer or a string (money: <c>1000</c> or <c>"1000.50"</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IntOrStringAttribute : Attribute;

/// <summary>A list whose items are identified by these keys (server-side apply merges by them; duplicates are refused).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListMapAttribute(params string[] keys) : Attribute
{
    public IReadOnlyList<string> Keys { get; } = keys;
}

/// <summary>A string in RFC 3339 date-time format.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DateTimeFormatAttribute : Attribute;

/// <summary>
/// A CEL rule (<c>x-kubernetes-validations</c>) on the object the attribute is on. The operator checks the same rule
/// itself, since not every API server evaluates CEL.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    public string Rule { get; } = rule;

    public string Message { get; } = message;

    /// <summary>The field the message is about, relative to the object (e.g. <c>.assetCap</c>).</summary>
    public string? FieldPath { get; init; }
}

/// <summary>Enum values are written in the schema in the case JSON uses.</summary>
[AttributeUsage(AttributeTargets.Enum)]
public sealed class LowerCaseEnumAttribute : Attribute;

/// <summary>An object kept as written, without a schema (<c>x-kubernetes-preserve-unknown-fields</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PreserveUnknownFieldsAttribute : Attribute;
