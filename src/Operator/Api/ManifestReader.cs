using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.Operator.Crd;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// Reads IndexFund manifests from YAML (one or many documents) exactly as the API would store them: YAML → JSON →
/// the API types with the API's JSON conventions. Other kinds in the same file are skipped.
/// </summary>
public static partial class ManifestReader
{
    // A key twice (capital: twice) is an error, as `kubectl apply` makes it ("mapping key already defined"), not the last copy.
    // An integer too long for a ulong would become a double ("1E+20 is a floating-point number"): it is kept as written,
    // so the field's own rule names what is wrong (an amount has at most 15 integer digits).
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().WithDuplicateKeyChecking()
        .WithNodeDeserializer(new LongIntegers(), where => where.OnTop())
        .WithNodeDeserializer(new FloatsAsWritten(), where => where.OnTop()).Build();

    /// <summary>The IndexFunds in <paramref name="yaml"/>, or an error naming the document and what is wrong.</summary>
    public static (IReadOnlyList<IndexFund> Funds, string? Error) Read(string yaml)
    {
        var funds = new List<IndexFund>();
        if (YamlSyntax.FirstError(yaml ?? string.Empty) is { } syntax)
        {
            return ([], syntax);
        }

        if (YamlSyntax.DuplicateKey(yaml ?? string.Empty) is { } duplicate)
        {
            return ([], duplicate);
        }

        var parser = new Parser(new StringReader(yaml ?? string.Empty));
        var index = 0;
        try
        {
            parser.Consume<YamlDotNet.Core.Events.StreamStart>();
            while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
            {
                index++;
                var document = Yaml.Deserialize<object?>(parser);
                if (ToJson(document, string.Empty) is not JsonObject json || !IsIndexFund(json))
                {
                    continue;
                }

                if (Identity(json) is { } refused)
                {
                    return ([], $"document {index}: {refused}");
                }

                // The API server ignores status on writes (it is a subresource), so this reader does too: a manifest
                // exported from a cluster, even one with a newer CRD, reads as its spec.
                json.Remove("status");

                // As `kubectl apply` (strict field validation): a misspelled field is an error, not a silent default.
                var unknown = ManifestSchema.UnknownFields(json);
                if (unknown.Count > 0)
                {
                    return ([], $"document {index}: " + string.Join(", ", unknown.Select(f => $"unknown field \"{f}\"")));
                }

                // As the API server: an enum value in another case, or a string over its maxLength, is refused, not read.
                var invalid = ManifestSchema.InvalidValues(json);
                if (invalid.Count > 0)
                {
                    return ([], $"document {index}: " + string.Join("; ", invalid));
                }

                funds.Add(json.Deserialize<IndexFund>(ApiJson.Options) ?? throw new JsonException("empty document"));
            }
        }
        catch (YamlException e)
        {
            // The syntax was checked above: this is a value the deserializer could not take; its own words are inside.
            return ([], $"document {Math.Max(index, 1)}: not valid YAML at line {e.Start.Line}: {(e.InnerException ?? e).Message}");
        }
        catch (JsonException e)
        {
            return ([], $"document {index}: {ManifestSchema.Describe(e)}");
        }

        return (funds, null);
    }

    /// <summary>
    /// What <c>kubectl apply</c> would refuse before any field is read: a version the CRD does not serve, no name, or a
    /// name that is not a DNS subdomain (the API server's own rule and wording); null when the fund could be applied.
    /// </summary>
    private static string? Identity(JsonObject json)
    {
        var apiVersion = json["apiVersion"]!.GetValue<string>();
        if (apiVersion != IndexFund.ApiVersionName)
        {
            return $"apiVersion {apiVersion} is not served: no kind \"{IndexFund.KindName}\" in that version; the IndexFund API is {IndexFund.ApiVersionName}";
        }

        var name = (json["metadata"] as JsonObject)?["name"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        if (string.IsNullOrEmpty(name))
        {
            return "metadata.name is required: a fund needs a name";
        }

        return name.Length <= 253 && DnsSubdomain().IsMatch(name)
            ? null
            : $"metadata.name \"{name}\" is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial System.Text.RegularExpressions.Regex DnsSubdomain();

    private static bool IsIndexFund(JsonObject json) =>
        json["kind"]?.GetValue<string>() == IndexFund.KindName
        && json["apiVersion"]?.GetValue<string>() is { } apiVersion
        && apiVersion.StartsWith(IndexFund.Group + "/", StringComparison.Ordinal);

    /// <summary>A plain scalar of digits too long for a ulong, kept as its text instead of becoming a double.</summary>
    private sealed class LongIntegers : INodeDeserializer
    {
        public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer, out object? value, ObjectDeserializer rootDeserializer)
        {
            value = null;
            if (expectedType != typeof(object)
                || !reader.Accept<YamlDotNet.Core.Events.Scalar>(out var scalar)
                || scalar.Style != ScalarStyle.Plain
                || scalar.Value.Length < 20
                || !scalar.Value.All(char.IsAsciiDigit)
                || ulong.TryParse(scalar.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                return false;
            }

            reader.MoveNext();
            value = scalar.Value;
            return true;
        }
    }

    /// <summary>A plain scalar YAML reads as a float that is not a whole number the API server takes as an integer, e.g. <c>2500.5</c>.</summary>
    private sealed record WrittenFloat(string Text);

    /// <summary>
    /// A plain scalar YAML reads as a float (<c>1e5</c>, <c>100.0</c>, <c>2500.5</c>) read as <c>kubectl apply</c> sends
    /// it: sigs.k8s.io/yaml writes the float64 in JSON as Go does, a whole number as its digits (1e5 as 100000), which
    /// the API server decodes as an integer when it fits an int64. Such a float is that integer here too; any other
    /// stays a float, kept as written so that the error quotes what the manifest says ("2500.5", "1e20").
    /// </summary>
    private sealed partial class FloatsAsWritten : INodeDeserializer
    {
        // 2^63: the first whole float64 the API server no longer reads as an int64.
        private const double LongLimit = 9_223_372_036_854_775_808d;

        public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer, out object? value, ObjectDeserializer rootDeserializer)
        {
            value = null;
            if (expectedType != typeof(object)
                || !reader.Accept<YamlDotNet.Core.Events.Scalar>(out var scalar)
                || scalar.Style != ScalarStyle.Plain
                || !YamlFloat().IsMatch(scalar.Value))
            {
                return false;
            }

            reader.MoveNext();
            var culture = System.Globalization.CultureInfo.InvariantCulture;
            value = double.TryParse(scalar.Value, System.Globalization.NumberStyles.Float, culture, out var number)
                && number == Math.Floor(number) && number >= -LongLimit && number < LongLimit
                    // Go's text of the float64 is its shortest round-trip digits ("R"), so beyond 2^53 it is those, not the exact binary value.
                    ? (object)(long)decimal.Parse(number.ToString("R", culture), System.Globalization.NumberStyles.Float, culture)
                    : new WrittenFloat(scalar.Value);
            return true;
        }

        // YAML's float form (as kubectl's YAML library resolves it), integers excluded: those stay integers.
        [System.Text.RegularExpressions.GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+\.[0-9]*|[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+)$")]
        private static partial System.Text.RegularExpressions.Regex YamlFloat();
    }

    private static JsonNode? ToJson(object? yaml, string path) => yaml switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(p =>
        {
            var key = Convert.ToString(p.Key, System.Globalization.CultureInfo.InvariantCulture)!;
            return KeyValuePair.Create(key, ToJson(p.Value, path.Length == 0 ? key : $"{path}.{key}"));
        })),
        IList<object?> list => new JsonArray([.. list.Select((item, i) => ToJson(item, $"{path}[{i}]"))]),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        byte or sbyte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(yaml, System.Globalization.CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        decimal d => JsonValue.Create(d),
        WrittenFloat f => throw new JsonException($"{path}: {f.Text} is a floating-point number: write money and percentages as strings, e.g. \"25%\" or \"1000.50\""),
        float or double => throw new JsonException($"{path}: {Convert.ToString(yaml, System.Globalization.CultureInfo.InvariantCulture)} is a floating-point number: write money and percentages as strings, e.g. \"25%\" or \"1000.50\""),
        _ => JsonValue.Create(Convert.ToString(yaml, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
