using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// What the chart and config/ render passes the rules a real API server applies to built-in kinds (ApiServerRules),
/// which LocalKube does not check: every value set, every kustomization, and release names Helm accepts (up to 53
/// characters, with dots or a leading digit).
/// </summary>
public sealed class ChartApiServerRulesTests
{
    [Theory]
    [MemberData(nameof(Support.Chart.ValueSetData), MemberType = typeof(Support.Chart))]
    public async Task Every_value_set_renders_objects_a_real_API_server_accepts(string valueSet)
    {
        var m = await Support.Chart.TemplateAsync(valueSet);

        Assert.Empty(ApiServerRules.Problems(m.Objects));
    }

    [Theory]
    [InlineData("config/default")]
    [InlineData("config/binance")]
    [InlineData("config/binance-namespaced")]
    [InlineData("config/secure-metrics")]
    [InlineData("config/prometheus")]
    [InlineData("config/prometheus-secure")]
    public async Task Every_kustomization_builds_objects_a_real_API_server_accepts(string folder)
    {
        var m = Manifests.Parse(await Tool.OkAsync(Tool.Kubectl, "kustomize", RepositoryPaths.Combine(folder)));

        Assert.Empty(ApiServerRules.Problems(m.Objects));
    }

    [Theory]
    [InlineData("a2345678901234567890123456789012345678901234567890123")] // 53, Helm's longest: names are cut at 63
    [InlineData("funds-cryptoindex-operator-for-the-eu-desk-and-others")] // contains the chart name
    [InlineData("z2345678901234567890123456789012345678901234567890123", "metrics.secure.enabled=true", "networkPolicy.enabled=true")]
    public async Task Long_release_names_give_valid_names_and_labels(string release, params string[] sets)
    {
        var result = await Tool.RunAsync(Tool.Helm, ["template", release, Support.Chart.Folder, "--namespace", Support.Chart.Namespace, .. Support.Chart.ValueArgs("monitoring-values.yaml", sets)]);

        Assert.True(result.Exit == 0, result.Describe("helm template"));
        Assert.Empty(ApiServerRules.Problems(Manifests.Parse(result.Out).Objects));
    }

    /// <summary>
    /// Helm accepts a release name with dots or starting with a digit, but a Service name must be a DNS-1035 label:
    /// the install would fail half-way on the metrics Service. The chart refuses it at render, saying what to do.
    /// </summary>
    [Theory]
    [InlineData("ops.v2")]
    [InlineData("2024-funds")]
    public async Task A_release_name_that_cannot_name_the_metrics_Service_is_refused(string release)
    {
        var refused = await Tool.RunAsync(Tool.Helm, ["template", release, Support.Chart.Folder, "--namespace", Support.Chart.Namespace]);
        var overridden = await Tool.RunAsync(Tool.Helm, ["template", release, Support.Chart.Folder, "--namespace", Support.Chart.Namespace, "--set", "fullnameOverride=funds-operator"]);
        var withoutService = await Tool.RunAsync(Tool.Helm, ["template", release, Support.Chart.Folder, "--namespace", Support.Chart.Namespace, "--set", "metrics.service.enabled=false"]);

        Assert.NotEqual(0, refused.Exit);
        Assert.Contains($"the metrics Service name \"{release}-cryptoindex-operator-metrics\" is not a DNS-1035 label", refused.Err, StringComparison.Ordinal);
        Assert.Contains("fullnameOverride", refused.Err, StringComparison.Ordinal);
        Assert.True(overridden.Exit == 0, overridden.Describe("helm template with fullnameOverride"));
        Assert.Empty(ApiServerRules.Problems(Manifests.Parse(overridden.Out).Objects));
        Assert.True(withoutService.Exit == 0, withoutService.Describe("helm template without the metrics Service"));
        Assert.Empty(ApiServerRules.Problems(Manifests.Parse(withoutService.Out).Objects));
    }
    /// <summary>Kubernetes refuses a liveness probe whose successThreshold is not 1; the values schema says so first.</summary>
    [Theory]
    [InlineData("helm")]
    [InlineData("helm3")]
    public async Task A_liveness_success_threshold_other_than_1_is_refused(string helm)
    {
        var refused = await Support.Chart.TryTemplateAsync(string.Empty, ["probes.liveness.successThreshold=2"], Tool.Path(helm));
        var accepted = await Support.Chart.TryTemplateAsync(string.Empty, ["probes.liveness.successThreshold=1", "probes.readiness.successThreshold=2"], Tool.Path(helm));

        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("successThreshold", refused.Err, StringComparison.Ordinal);
        Assert.True(accepted.Exit == 0, accepted.Describe("helm template"));
        Assert.Empty(ApiServerRules.Problems(Manifests.Parse(accepted.Out).Objects));
    }
    /// <summary>
    /// A budget's minAvailable is a number of pods or a percentage up to 100%: anything else (a word, a negative
    /// number) rendered a PodDisruptionBudget a real API server refuses. The values schema refuses it first.
    /// </summary>
    [Theory]
    [InlineData("helm", "\"one\"", false)]
    [InlineData("helm3", "\"one\"", false)]
    [InlineData("helm", "-1", false)]
    [InlineData("helm3", "-1", false)]
    [InlineData("helm", "\"50%\"", true)]
    [InlineData("helm3", "\"2\"", true)] // --set-string or a quoted YAML number: rendered as the number
    [InlineData("helm", "0", true)]
    public async Task A_disruption_budget_minAvailable_Kubernetes_refuses_is_refused(string helm, string minAvailable, bool accepted)
    {
        var result = await Support.Chart.TryTemplateAsync(
            string.Empty, ["replicaCount=3", "podDisruptionBudget.enabled=true"], Tool.Path(helm), "--set-json", $"podDisruptionBudget.minAvailable={minAvailable}");

        if (accepted)
        {
            Assert.True(result.Exit == 0, result.Describe("helm template"));
            Assert.Empty(ApiServerRules.Problems(Manifests.Parse(result.Out).Objects));
        }
        else
        {
            Assert.NotEqual(0, result.Exit);
            Assert.Contains("minAvailable", result.Err, StringComparison.Ordinal);
        }
    }
}
