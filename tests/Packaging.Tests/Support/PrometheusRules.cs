using System.Text.Json.Nodes;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>The chart's PrometheusRule (default values, release cryptoindex-operator in cryptoindex-system).</summary>
public static class PrometheusRules
{
    public static async Task<JsonObject> SpecAsync() =>
        (await Chart.TemplateAsync(string.Empty, "prometheusRule.enabled=true", "prometheusRule.renderMode=alwaysRender")).One("PrometheusRule")["spec"]!.AsObject();

    public static IEnumerable<JsonObject> Rules(JsonObject spec) =>
        spec["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!.AsObject());
}
