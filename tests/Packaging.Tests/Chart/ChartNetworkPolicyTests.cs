using System.Text.Json.Nodes;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// networkPolicy: off by default; on, the operator pods take traffic only on the metrics port and reach out only as
/// the egress rules say (by default DNS, and 443 and 6443 anywhere). Validity against the Kubernetes models and
/// kubectl apply is checked with the value sets that enable it (ChartRenderTests).
/// </summary>
public sealed class ChartNetworkPolicyTests
{
    private static List<string> Ports(JsonNode? rules) =>
        [.. rules!.AsArray().SelectMany(r => r!["ports"]!.AsArray()).Select(p => $"{(string?)p!["protocol"]}/{(int)p["port"]!}")];

    [Fact]
    public async Task There_is_none_by_default_nor_without_the_value()
    {
        Assert.Empty((await Support.Chart.TemplateAsync()).OfKind("NetworkPolicy"));
        Assert.Empty((await Support.Chart.TemplateAsync(string.Empty, "networkPolicy=null")).OfKind("NetworkPolicy")); // --reuse-values from an older chart
    }

    [Fact]
    public async Task Enabled_it_admits_only_the_metrics_port_and_lets_out_DNS_HTTPS_and_the_API_server()
    {
        var m = await Support.Chart.TemplateAsync(string.Empty, "networkPolicy.enabled=true");
        var spec = m.One("NetworkPolicy", Support.Chart.Release)["spec"]!;

        Assert.True(JsonNode.DeepEquals(m.One("Deployment")["spec"]!["selector"]!["matchLabels"], spec["podSelector"]!["matchLabels"]));
        Assert.Equal(["Ingress", "Egress"], spec["policyTypes"]!.AsArray().Select(t => (string?)t));
        var ingress = Assert.Single(spec["ingress"]!.AsArray())!;
        Assert.Null(ingress["from"]); // from anywhere
        Assert.Equal(["TCP/8081"], Ports(spec["ingress"]));
        Assert.Equal(["UDP/53", "TCP/53", "TCP/443", "TCP/6443"], Ports(spec["egress"]));
        Assert.All(spec["egress"]!.AsArray(), r => Assert.Null(r!["to"])); // to anywhere
    }

    [Fact]
    public async Task The_metrics_port_follows_the_operator_port_and_metricsFrom_names_who_may_scrape()
    {
        var spec = (await Support.Chart.TemplateAsync("ha-namespaced-values.yaml", "operator.port=9090")).One("NetworkPolicy")["spec"]!;
        var ingress = Assert.Single(spec["ingress"]!.AsArray())!;

        Assert.Equal(["TCP/9090"], Ports(spec["ingress"]));
        Assert.Equal("monitoring", (string?)Assert.Single(ingress["from"]!.AsArray())!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]);
    }

    [Fact]
    public async Task Egress_rules_given_replace_the_default_and_none_leave_egress_unrestricted()
    {
        var own = (await Support.Chart.TemplateAsync("settings-values.yaml")).One("NetworkPolicy")["spec"]!;
        var none = (await Support.Chart.TemplateWithAsync("--set", "networkPolicy.enabled=true", "--set-json", "networkPolicy.egress=[]")).One("NetworkPolicy")["spec"]!;

        Assert.Equal(["UDP/53", "TCP/53", "TCP/443", "TCP/6443", "TCP/8080"], Ports(own["egress"]));
        Assert.Equal("proxies", (string?)own["egress"]![2]!["to"]![0]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]);
        Assert.Equal(["Ingress"], none["policyTypes"]!.AsArray().Select(t => (string?)t));
        Assert.Null(none["egress"]);
    }
}
