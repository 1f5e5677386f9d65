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
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().WithDuplicateKeyChecking().Build();

    /// <summary>The IndexFunds in <paramref name="yaml"/>, or an error naming the document and what is wrong.</summary>
    public static (IReadOnlyList<IndexFund> Funds, string? Error) Read(string yaml)
    {
        var funds = new List<IndexFund>();
        try
        {
            if (DuplicateKey(yaml ?? string.Empty) is { } duplicate)
            {
                return ([], duplicate);
            }
        }
        catch (YamlException)
        {
            // Reported, with its document, by the reading below.
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

                funds.Add(json.Deserialize<IndexFund>(ApiJson.Options) ?? throw new JsonException("empty document"));
            }
        }
        catch (YamlException e)
        {
            return ([], $"document {Math.Max(index, 1)}: not valid YAML at line {e.Start.Line}: {e.Message}");
        }
        catch (JsonException e)
        {
            return ([], $"document {index}: {ManifestSchema.Describe(e)}");
        }

        return (funds, null);
    }

    /// <summary>
    /// The first key given twice in one mapping, as <c>kubectl apply</c> reports it (<c>line 8: mapping key "capital"
    /// already defined at line 5</c>), with its document; the deserializer would keep the last copy.
    /// </summary>
    private static string? DuplicateKey(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var document = 0;
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (parser.TryConsume<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            document++;
            if (Node(parser) is { } found)
            {
                return $"document {document}: {found}";
            }

            parser.Consume<YamlDotNet.Core.Events.DocumentEnd>();
        }

        return null;

        static string? Node(IParser parser)
        {
            if (parser.TryConsume<YamlDotNet.Core.Events.MappingStart>(out _))
            {
                var keys = new Dictionary<string, long>(StringComparer.Ordinal);
                while (!parser.TryConsume<YamlDotNet.Core.Events.MappingEnd>(out _))
                {
                    if (parser.Current is YamlDotNet.Core.Events.Scalar key && !keys.TryAdd(key.Value, key.Start.Line))
                    {
                        return $"line {key.Start.Line}: mapping key \"{key.Value}\" already defined at line {keys[key.Value]}";
                    }

                    if ((Node(parser) ?? Node(parser)) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            }

            if (parser.TryConsume<YamlDotNet.Core.Events.SequenceStart>(out _))
            {
                while (!parser.TryConsume<YamlDotNet.Core.Events.SequenceEnd>(out _))
                {
                    if (Node(parser) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            }

            parser.Consume<YamlDotNet.Core.Events.NodeEvent>(); // a scalar or an alias
            return null;
        }
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
        float or double => throw new JsonException($"{path}: {Convert.ToString(yaml, System.Globalization.CultureInfo.InvariantCulture)} is a floating-point number: write money and percentages as strings, e.g. \"25%\" or \"1000.50\""),
        _ => JsonValue.Create(Convert.ToString(yaml, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
