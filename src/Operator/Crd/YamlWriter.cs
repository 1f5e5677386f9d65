using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace CryptoIndex.Operator.Crd;

/// <summary>Writes a JSON tree as YAML, keeping key order and quoting only the strings that need it.</summary>
internal static class YamlWriter
{
    private static readonly ISerializer Serializer = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();

    public static string Write(JsonNode node) => Serializer.Serialize(ToPlain(node));

    private static object? ToPlain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => ToPlain(p.Value)),
        JsonArray array => array.Select(ToPlain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => value.TryGetValue<int>(out var i) ? i : value.TryGetValue<long>(out var l) ? l : value.GetValue<double>(),
            _ => null,
        },
        _ => throw new InvalidOperationException("unexpected JSON node"),
    };
}
