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
public static class ManifestReader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build();

    /// <summary>The IndexFunds in <paramref name="yaml"/>, or an error naming the document and what is wrong.</summary>
    public static (IReadOnlyList<IndexFund> Funds, string? Error) Read(string yaml)
    {
        var funds = new List<IndexFund>();
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
