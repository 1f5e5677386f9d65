using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Kustomize;

/// <summary>
/// config/secure-metrics and config/prometheus-secure: the kustomize form of the chart's metrics.secure, building,
/// valid, applied to LocalKube, and rendering what the chart renders with metrics.secure.enabled.
/// </summary>
public sealed class KustomizeSecureMetricsTests
{
    private static async Task<Manifests> CheckedAsync(string folder)
    {
        var yaml = await Tool.OkAsync(Tool.Kubectl, "kustomize", RepositoryPaths.Combine(folder));
        StrictModels.ParseOrFail(yaml);
        var manifests = Manifests.Parse(yaml);
        await NodeModels.ValidateOrFailAsync(manifests.Objects);
        return manifests;
    }

    private static string KindAndName(JsonObject o) => (string)o["kind"]! + "/" + Manifests.Name(o);

    private static JsonNode Container(Manifests m) => m.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;

    [Fact]
    public async Task The_secure_variant_adds_the_review_rights_and_reader_role_and_moves_metrics_to_https_as_the_chart_does()
    {
        var plain = await CheckedAsync("config/default");
        var secure = await CheckedAsync("config/secure-metrics");
        var chart = await Support.Chart.TemplateAsync(string.Empty, "metrics.secure.enabled=true");

        var added = secure.Objects.Select(KindAndName).Except(plain.Objects.Select(KindAndName)).Order().ToList();
        Assert.Equal(
            ["ClusterRole/cryptoindex-operator-metrics-auth", "ClusterRole/cryptoindex-operator-metrics-reader", "ClusterRoleBinding/cryptoindex-operator-metrics-auth"], added);
        Assert.Equal(plain.Objects.Count + 3, secure.Objects.Count);
        foreach (var (kind, name) in new[] { ("ClusterRole", "cryptoindex-operator-metrics-auth"), ("ClusterRole", "cryptoindex-operator-metrics-reader") })
        {
            Assert.True(JsonNode.DeepEquals(chart.One(kind, name)["rules"], secure.One(kind, name)["rules"]), $"{kind}/{name} grants what the chart's does");
        }

        var subject = secure.One("ClusterRoleBinding", "cryptoindex-operator-metrics-auth")["subjects"]![0]!;
        var account = plain.One("ServiceAccount");
        Assert.Equal((Manifests.Name(account), (string?)account["metadata"]!["namespace"]), ((string?)subject["name"], (string?)subject["namespace"]));
        var (container, chartContainer) = (Container(secure), Container(chart));
        Assert.Equal(["--metrics-secure", "--metrics-port=8443"], container["args"]!.AsArray().Select(a => (string)a!).Where(a => a.StartsWith("--metrics-", StringComparison.Ordinal)));
        foreach (var field in new[] { "ports" })
        {
            Assert.True(JsonNode.DeepEquals(chartContainer[field], container[field]), field);
        }

        Assert.Equal(("probes", "probes"), ((string?)container["livenessProbe"]!["httpGet"]!["port"], (string?)container["readinessProbe"]!["httpGet"]!["port"]));
        Assert.True(JsonNode.DeepEquals(chart.One("Service")["spec"]!["ports"], secure.One("Service")["spec"]!["ports"]));

        await using var cluster = await ApplyCluster.StartAsync();
        var applied = await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "secure-metrics"));
        Assert.Equal(secure.Objects.Count, applied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task The_secure_monitor_scrapes_over_https_with_the_service_account_token_as_the_charts_does()
    {
        var plain = await CheckedAsync("config/prometheus");
        var secure = await CheckedAsync("config/prometheus-secure");
        var chart = await Support.Chart.TemplateAsync("monitoring-values.yaml", "metrics.secure.enabled=true");

        Assert.Equal(plain.Objects.Select(KindAndName), secure.Objects.Select(KindAndName));
        var endpoint = secure.One("ServiceMonitor")["spec"]!["endpoints"]![0]!;
        var chartEndpoint = chart.One("ServiceMonitor")["spec"]!["endpoints"]![0]!;
        foreach (var field in new[] { "port", "path", "scheme", "bearerTokenFile", "tlsConfig" })
        {
            Assert.True(JsonNode.DeepEquals(chartEndpoint[field], endpoint[field]), field);
        }

        Assert.Equal("https", (string?)endpoint["scheme"]);
        Assert.True((bool)endpoint["tlsConfig"]!["insecureSkipVerify"]!);
    }
}
