using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>The chart README documents every value (down to the free-form objects of values.schema.json).</summary>
public sealed class ChartReadmeTests
{
    /// <summary>Value paths, descending into objects the schema describes property by property.</summary>
    private static IEnumerable<string> Paths(JsonObject values, JsonObject schema, string prefix)
    {
        foreach (var (key, value) in values)
        {
            var path = prefix.Length == 0 ? key : $"{prefix}.{key}";
            var properties = schema["properties"]?[key]?["properties"]?.AsObject();
            if (value is JsonObject nested && nested.Count > 0 && properties is not null)
            {
                foreach (var inner in Paths(nested, schema["properties"]![key]!.AsObject(), path))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    [Fact]
    public async Task Lists_every_value_in_its_table()
    {
        var values = Manifests.ToJson(await File.ReadAllTextAsync(Path.Combine(Support.Chart.Folder, "values.yaml")))!.AsObject();
        var schema = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Support.Chart.Folder, "values.schema.json")))!.AsObject();
        var readme = await File.ReadAllTextAsync(Path.Combine(Support.Chart.Folder, "README.md"));

        var missing = Paths(values, schema, string.Empty).Where(p => !readme.Contains($"| `{p}` |", StringComparison.Ordinal)).ToList();

        Assert.True(missing.Count == 0, "not in the README's values table: " + string.Join(", ", missing));
        Assert.True(schema["properties"]!.AsObject().Select(p => p.Key).Where(k => k != "global").All(values.ContainsKey), "the schema describes a value values.yaml lacks");
    }
}
