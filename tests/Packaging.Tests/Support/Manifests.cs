using System.Text.Json.Nodes;
using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>A multi-document YAML stream (rendered chart, kustomize build) as JSON objects, in order.</summary>
public sealed class Manifests
{
    private Manifests(string text, IReadOnlyList<JsonObject> objects)
    {
        Text = text;
        Objects = objects;
    }

    public string Text { get; }

    public IReadOnlyList<JsonObject> Objects { get; }

    public static Manifests Parse(string yaml) => new(yaml, [.. Documents(yaml).Select(ToJson).OfType<JsonObject>()]);

    /// <summary>The YAML documents of a stream, empty ones dropped.</summary>
    public static IEnumerable<string> Documents(string yaml) =>
        System.Text.RegularExpressions.Regex.Split(yaml, @"^---\s*$", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Where(d => d.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#')));

    /// <summary>One YAML document as JSON; plain scalars are typed by YAML 1.2's core schema (as Kubernetes reads them).</summary>
    public static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 ? null : Node(stream.Documents[0].RootNode);
    }

    private static JsonNode? Node(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, Node(p.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Node)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style is not (YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any))
        {
            return JsonValue.Create(text);
        }

        return text switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when Regex.IsMatch(text, "^[-+]?[0-9]+$") && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => JsonNode.Parse(i.ToString(CultureInfo.InvariantCulture))!.AsValue(),
            _ when Regex.IsMatch(text, @"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$") => JsonNode.Parse(double.Parse(text, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture))!.AsValue(),
            _ => JsonValue.Create(text),
        };
    }

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject One(string kind) => Assert.Single(OfKind(kind));

    public JsonObject One(string kind, string name) => Assert.Single(OfKind(kind), o => (string?)o["metadata"]?["name"] == name);

    public static string Name(JsonObject o) => (string)o["metadata"]!["name"]!;
}
