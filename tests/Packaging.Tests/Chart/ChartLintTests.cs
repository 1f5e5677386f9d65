using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary><c>helm lint --strict</c> with Helm 4 and Helm 3, for the default values and every ci/*.yaml value set.</summary>
public sealed class ChartLintTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var helm in new[] { "helm", "helm3" })
        {
            foreach (var set in Support.Chart.ValueSets)
            {
                data.Add(helm, set);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Lints_strictly(string helm, string valueSet)
    {
        var result = await Tool.RunAsync(Tool.Path(helm), ["lint", "--strict", Support.Chart.Folder, "--namespace", Support.Chart.Namespace, .. Support.Chart.ValueArgs(valueSet)]);

        Assert.True(result.Exit == 0, result.Describe($"{helm} lint --strict {valueSet}"));
        Assert.Contains("0 chart(s) failed", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("helm", "resources.requests.cpu=0.5")]
    [InlineData("helm3", "resources.requests.cpu=1")]
    [InlineData("helm", "resources.requests.cpu=500m,resources.limits.cpu=2")]
    [InlineData("helm3", "resources.limits.ephemeral-storage=1Gi,resources.requests.memory=1e9")]
    [InlineData("helm", "tmpSizeLimit=256Mi")]
    [InlineData("helm", "resources=null")]
    [InlineData("helm", "marketData.validation.refreshTimeout=1.00:00:00")]
    [InlineData("helm3", "marketData.http.retryBaseDelay=00:00:00.5,marketData.http.attemptTimeout=0:00:10")]
    [InlineData("helm", "marketData.validation.fallbackShare=0.25,marketData.validation.maxPriceJump=0")]
    [InlineData("helm3", "marketData.http.maxRetries=0,marketData.http.breakerFailureRatio=1")]
    [InlineData("helm", "networkPolicy.enabled=true,networkPolicy.metricsFrom[0].podSelector.matchLabels.app=prometheus")]
    [InlineData("helm", "operator.reconcileTimeout=0s")]
    [InlineData("helm3", "operator.reconcileTimeout=999h")]
    [InlineData("helm", "metrics.secure.enabled=true,metrics.secure.port=9443,metrics.secure.certSecret=metrics-tls")]
    [InlineData("helm3", "metrics.secure.enabled=true")]
    [InlineData("helm", "serviceMonitor.interval=1h30m15s,serviceMonitor.scrapeTimeout=1m500ms")] // Prometheus durations, units in order
    [InlineData("helm3", "prometheusRule.fundNotReadyFor=1d12h")]
    public async Task The_values_schema_accepts_Kubernetes_quantities_and_operator_settings(string helm, string set)
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, [set], Tool.Path(helm));

        Assert.True(result.Exit == 0, result.Describe($"{helm} template --set {set}"));
    }

    [Theory]
    [InlineData("helm", "replicaCunt=2")]
    [InlineData("helm3", "replicaCunt=2")]
    [InlineData("helm", "operator.logFormat=xml")]
    [InlineData("helm3", "serviceMonitor.renderMode=sometimes")]
    [InlineData("helm", "watchNamespaces[0]=Not_A_Namespace")]
    [InlineData("helm", "resources.limit.memory=1Gi")] // limits, misspelt
    [InlineData("helm3", "resources.limit.memory=1Gi")]
    [InlineData("helm", "resources.requests.cpu=lots")] // not a quantity
    [InlineData("helm3", "resources.requests.cpu=lots")]
    [InlineData("helm", "resources.requests.gpu=1")]
    [InlineData("helm", "tmpSizeLimit=huge")]
    [InlineData("helm3", "tmpSizeLimit=-1Gi")]
    [InlineData("helm", "marketData.validation.refreshTimeout=2m")] // not a duration to the operator
    [InlineData("helm3", "marketData.validation.refreshTimeout=2m")]
    [InlineData("helm", "marketData.http.totalTimeout=30")] // the operator would read 30 days
    [InlineData("helm", "marketData.http.attemptTimeout=24:00:00")] // hours go to 23
    [InlineData("helm", "marketData.validation.refreshTimout=00:02:00")] // misspelt
    [InlineData("helm3", "marketData.http.totalTimout=00:01:00")]
    [InlineData("helm", @"marketData.validation.fallbackShare=0\,25")] // a decimal comma
    [InlineData("helm", "marketData.validation.fallbackShare=-0.1")]
    [InlineData("helm3", "marketData.http.maxRetries=1.5")]
    [InlineData("helm", "networkPolicy.enabeld=true")]
    [InlineData("helm3", "networkPolicy.egress=any")]
    [InlineData("helm", "operator.reconcileTimeout=300")] // no unit
    [InlineData("helm3", "operator.reconcileTimeout=5 minutes")]
    [InlineData("helm", "operator.reconcileTimeout=2000h")] // beyond what the operator's timers take
    [InlineData("helm", "metrics.secure.enabeld=true")] // misspelt
    [InlineData("helm3", "metrics.secure.port=0")]
    [InlineData("helm", "metrics.secure.certSecret=Metrics_TLS")] // not a Secret name
    [InlineData("helm3", "metrics.secure.enabled=yes-please")]
    [InlineData("helm", "serviceMonitor.interval=30s1m")] // prometheus-operator refuses units out of order: nothing scraped
    [InlineData("helm3", "prometheusRule.driftFor=1m1m")] // nor a unit twice
    [InlineData("helm", "serviceMonitor.scrapeTimeout=10")] // nor a number without a unit
    public async Task The_values_schema_rejects_typos_and_wrong_values(string helm, string set)
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, [set], Tool.Path(helm));

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("schema", result.Err, StringComparison.OrdinalIgnoreCase);
    }
}
