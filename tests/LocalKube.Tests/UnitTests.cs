using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Patches;
using CryptoIndex.LocalKube.Selectors;
using CryptoIndex.LocalKube.Table;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Direct tests of the pure pieces: JSONPath, ages, selectors, patches.</summary>
public sealed class UnitTests
{
    private static readonly JsonNode Doc = JsonNode.Parse("""
        {"metadata":{"name":"x","labels":{"app.kubernetes.io/name":"fund"}},
         "spec":{"replicas":3,"weights":[{"s":"A","w":0.5},{"s":"B","w":0.25}]},
         "status":{"conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True","reason":"Ok"}]}}
        """)!;

    [Theory]
    [InlineData(".spec.replicas", "3")]
    [InlineData("{.spec.replicas}", "3")]
    [InlineData(".status.conditions[?(@.type==\"Ready\")].status", "True")]
    [InlineData(".status.conditions[?(@.type=='Ready')].reason", "Ok")]
    [InlineData(".status.conditions[?(@.status!=\"True\")].type", "Synced")]
    [InlineData(".spec.weights[1].s", "B")]
    [InlineData(".spec.weights[-1].w", "0.25")]
    [InlineData(".spec.weights[*].s", "A")]
    [InlineData(".spec.weights[?(@.w>0.3)].s", "A")]
    [InlineData(".metadata.labels['app.kubernetes.io/name']", "fund")]
    public void JsonPath_evaluates_printer_column_forms(string path, string expected) =>
        Assert.Equal(expected, JsonPath.FirstText(Doc, path));

    [Theory]
    [InlineData(".spec.missing")]
    [InlineData(".status.conditions[?(@.type==\"Nope\")].status")]
    [InlineData(".spec.weights[5]")]
    public void JsonPath_missing_yields_nothing(string path) => Assert.Null(JsonPath.FirstText(Doc, path));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(-0.5, "0s")]
    [InlineData(-5, "<invalid>")]
    [InlineData(119, "119s")]
    [InlineData(317, "5m17s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(3 * 3600 + 60, "3h1m")]
    [InlineData(12 * 86400, "12d")]
    [InlineData(3 * 86400 + 3600, "3d1h")]
    [InlineData(800 * 86400, "2y70d")]
    public void HumanDuration_matches_apimachinery(double seconds, string expected) =>
        Assert.Equal(expected, TableConverter.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData("tier=core", true)]
    [InlineData("tier==core,env", true)]
    [InlineData("tier!=core", false)]
    [InlineData("tier in (edge, core)", true)]
    [InlineData("tier notin (core)", false)]
    [InlineData("!missing", true)]
    [InlineData("missing", false)]
    [InlineData("env in (prod),tier=core", true)]
    [InlineData("", true)]
    public void LabelSelector_matches(string selector, bool expected)
    {
        var obj = JsonNode.Parse("""{"metadata":{"labels":{"tier":"core","env":"prod"}}}""")!.AsObject();
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(obj));
    }

    [Theory]
    [InlineData("date-time", "2026-11-26T03:51:20Z", true)]
    [InlineData("date-time", "2026-11-26T03:51:20.012245Z", true)]
    [InlineData("date-time", "2026-11-26T03:51:20.123456789Z", true)]
    [InlineData("date-time", "2026-11-26T03:51:20+02:00", true)]
    [InlineData("date-time", "2026-13-01T00:00:00Z", false)]
    [InlineData("date-time", "2026-11-26", false)]
    [InlineData("date-time", "yesterday", false)]
    [InlineData("date", "2026-02-28", true)]
    [InlineData("date", "2026-02-30", false)]
    [InlineData("uuid", "0b4f8c3e-6d2a-4c1e-9f3b-2a7d5e8c1f00", true)]
    [InlineData("uuid", "not-a-uuid", false)]
    [InlineData("byte", "aGVsbG8=", true)]
    [InlineData("byte", "hello", false)]
    [InlineData("hostname", "anything goes", true)]
    public void String_formats_are_checked_like_the_apiserver(string format, string value, bool valid) =>
        Assert.Equal(valid, CryptoIndex.LocalKube.Schema.StructuralSchema.FormatValid(format, value));

    [Fact]
    public void MergePatch_follows_rfc7386()
    {
        var target = JsonNode.Parse("""{"a":"b","c":{"d":"e","f":"g"},"l":[1,2]}""");
        var patch = JsonNode.Parse("""{"a":"z","c":{"f":null},"l":[3]}""");

        Assert.Equal("""{"a":"z","c":{"d":"e"},"l":[3]}""", MergePatch.Apply(target, patch)!.ToJsonString());
    }

    [Fact]
    public void JsonPatch_supports_all_operations()
    {
        var target = JsonNode.Parse("""{"a":{"b":1},"l":[1,2]}""")!.AsObject();
        var ops = JsonNode.Parse("""
            [{"op":"add","path":"/l/-","value":3},{"op":"copy","from":"/a/b","path":"/c"},{"op":"move","from":"/c","path":"/d"},
             {"op":"remove","path":"/l/0"},{"op":"replace","path":"/a/b","value":9},{"op":"test","path":"/d","value":1},
             {"op":"add","path":"/x~1y","value":true}]
            """)!.AsArray();

        Assert.Equal("""{"a":{"b":9},"l":[2,3],"d":1,"x/y":true}""", JsonPatch.Apply(target, ops).ToJsonString());
        Assert.Throws<JsonPatchException>(() => JsonPatch.Apply(target, JsonNode.Parse("""[{"op":"remove","path":"/nope"}]""")!.AsArray()));
    }

    [Fact]
    public void Apply_patch_bodies_may_be_yaml()
    {
        var node = YamlJson.Parse("metadata:\n  name: x\nspec:\n  replicas: 3\n  enabled: true\n  note: '5'\n  empty: null\n");

        Assert.Equal("""{"metadata":{"name":"x"},"spec":{"replicas":3,"enabled":true,"note":"5","empty":null}}""", node!.ToJsonString());
    }
}
