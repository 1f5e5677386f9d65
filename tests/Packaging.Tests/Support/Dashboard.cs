using System.Text.Json.Nodes;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>The Grafana dashboard shipped with the chart, and the PromQL it runs.</summary>
public static class Dashboard
{
    public static string FilePath => Path.Combine(Chart.Folder, "files", "dashboards", "cryptoindex-operator.json");

    public static JsonObject Load() => JsonNode.Parse(File.ReadAllText(FilePath))!.AsObject();

    public static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().Select(p => p!.AsObject()).SelectMany(p => p["panels"] is JsonArray nested ? [p, .. nested.Select(n => n!.AsObject())] : new[] { p });

    /// <summary>Every target expression, with the panel title.</summary>
    public static IEnumerable<(string Panel, string Expr)> Expressions(JsonObject dashboard) =>
        Panels(dashboard).SelectMany(p => (p["targets"]?.AsArray() ?? []).Select(t => ((string)p["title"]!, (string)t!["expr"]!)));

    /// <summary>The query variables' label_values(selector, label) as PromQL selecting the same series, grouped by the label.</summary>
    public static IEnumerable<(string Variable, string Expr)> VariableQueries(JsonObject dashboard)
    {
        foreach (var variable in dashboard["templating"]!["list"]!.AsArray().Where(v => (string?)v!["type"] == "query"))
        {
            var query = (string)variable!["definition"]!;
            var inner = query["label_values(".Length..^1];
            var comma = inner.LastIndexOf(',');
            yield return ((string)variable["name"]!, $"count by ({inner[(comma + 1)..].Trim()}) ({inner[..comma]})");
        }
    }
}
