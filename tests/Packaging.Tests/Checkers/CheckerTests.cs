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
}
