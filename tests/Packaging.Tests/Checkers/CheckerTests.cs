using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Checkers;

/// <summary>The checks the other tests rely on do catch what they are meant to catch.</summary>
public sealed class CheckerTests
{
    [Fact]
    public void Strict_parsing_rejects_an_unknown_field()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata: {name: x}
            spec:
              portz: [{port: 80}]
            """;

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => StrictModels.ParseOrFail(yaml));
    }

    [Fact]
    public async Task The_node_models_reject_a_wrong_type_in_a_ServiceMonitor()
    {
        var monitor = JsonNode.Parse("""{"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": {"name": "x"}, "spec": {"selector": {}, "endpoints": [{"interval": 30}]}}""")!.AsObject();

        await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => NodeModels.ValidateOrFailAsync([monitor]));
    }

    [Fact]
    public void PromQL_reading_finds_metrics_matchers_and_grouping_but_not_functions_or_keywords()
    {
        var (selectors, grouping) = PromQl.Analyze(
            "sum by (le, controller) (rate(workqueue_work_duration_seconds_bucket{job=~\"$job\",name!=\"x\"}[$__rate_interval])) > 0 unless on (controller) up offset 5m");

        Assert.Equal(["workqueue_work_duration_seconds_bucket", "up"], selectors.Select(s => s.Metric));
        Assert.Equal(["job", "name"], selectors[0].Labels);
        Assert.Equal(["le", "controller", "controller"], grouping);
    }

    [Fact]
    public void The_metrics_contract_reports_unknown_metrics_and_labels()
    {
        var scrape = new Exposition("""
            # HELP cryptoindex_fund_nav NAV
            # TYPE cryptoindex_fund_nav gauge
            cryptoindex_fund_nav{fund_namespace="a",fund="b"} 1
            # HELP cryptoindex_declared_only Never set
            # TYPE cryptoindex_declared_only gauge

            """);

        Assert.Empty(MetricsContract.Problems(scrape, "sum by (fund_namespace, instance) (cryptoindex_fund_nav{fund=\"b\",job=\"j\"})"));
        Assert.Single(MetricsContract.Problems(scrape, "cryptoindex_fund_navv"));
        Assert.Single(MetricsContract.Problems(scrape, "cryptoindex_fund_nav{symbol=\"BTC\"}"));
        Assert.Single(MetricsContract.Problems(scrape, "sum by (symbol) (cryptoindex_fund_nav)"));
        Assert.Single(MetricsContract.Problems(scrape, "cryptoindex_declared_only"));
    }
    [Fact]
    public void The_API_server_rules_report_what_a_real_server_refuses()
    {
        var accepted = Manifests.Parse("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: op.v2, labels: {app: op, version: "1.0"}}
            spec:
              selector: {matchLabels: {app: op}}
              template:
                metadata: {labels: {app: op, tier: x}}
                spec:
                  containers:
                    - name: op
                      ports: [{name: metrics, containerPort: 8081}]
                      livenessProbe: {httpGet: {port: metrics}}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: op-metrics}
            spec: {selector: {app: op}, ports: [{port: 80, targetPort: metrics}]}
            """).Objects;
        Assert.Empty(ApiServerRules.Problems(accepted));

        var refused = Manifests.Parse("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: Op, labels: {version: 1.0, "-bad": x}}
            spec:
              selector: {matchLabels: {app: other}}
              template:
                metadata: {labels: {app: op}}
                spec:
                  containers:
                    - name: op
                      ports: [{name: metrics-over-https, containerPort: 8443}, {name: "8081", containerPort: 8081}]
                      readinessProbe: {httpGet: {port: probes}}
                      livenessProbe: {httpGet: {port: 8081}, successThreshold: 2}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: 9-op.metrics}
            spec: {selector: {app: op}, ports: [{port: 80, targetPort: metrics}]}
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: op}
            spec: {minAvailable: 1, maxUnavailable: 1, selector: {matchLabels: {app: op}}}
            ---
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: op2}
            spec: {minAvailable: one, selector: {matchLabels: {app: op}}}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: op}
            rules: [{apiGroups: [""], resources: [events], verbs: [create, read]}]
            """).Objects;
        var problems = ApiServerRules.Problems(refused);
        Assert.Equal(13, problems.Count);
        Assert.Contains(problems, p => p.Contains("name Op is not valid for a Deployment", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("version=", StringComparison.Ordinal)); // 1.0 is a number, not a string
        Assert.Contains(problems, p => p.Contains("key -bad", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("spec.selector does not match", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("metrics-over-https is not an IANA_SVC_NAME", StringComparison.Ordinal)); // 18 characters
        Assert.Contains(problems, p => p.Contains("8081 is not an IANA_SVC_NAME", StringComparison.Ordinal)); // no letter
        Assert.Contains(problems, p => p.Contains("readinessProbe port probes", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("livenessProbe.successThreshold must be 1", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("name 9-op.metrics is not valid for a Service", StringComparison.Ordinal)); // DNS-1035
        Assert.Contains(problems, p => p.Contains("targetPort metrics", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("mutually exclusive", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("minAvailable \"one\" is neither", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("verb read", StringComparison.Ordinal));
    }
}
