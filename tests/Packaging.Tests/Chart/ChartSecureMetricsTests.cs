using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// metrics.secure: off by default (plain /metrics on operator.port, as before); on, the operator serves /metrics over
/// HTTPS on its own port with TokenReview and SubjectAccessReview, the chart grants it those reviews, offers a
/// metrics-reader ClusterRole for Prometheus, and the ServiceMonitor scrapes with its token over TLS.
/// </summary>
public sealed class ChartSecureMetricsTests
{
    private static JsonNode Container(Manifests m) => m.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;

    private static List<string> Args(Manifests m) => [.. Container(m)["args"]!.AsArray().Select(a => (string)a!)];

    private static JsonNode Endpoint(Manifests m) => Assert.Single(m.One("ServiceMonitor")["spec"]!["endpoints"]!.AsArray())!;

    [Fact]
    public async Task Off_by_default_metrics_stay_plain_on_the_probe_port_without_review_rights()
    {
        var m = await Support.Chart.TemplateAsync("monitoring-values.yaml");

        Assert.DoesNotContain(Args(m), a => a.StartsWith("--metrics-", StringComparison.Ordinal));
        Assert.Equal(["metrics/8081"], Container(m)["ports"]!.AsArray().Select(p => $"{(string?)p!["name"]}/{(int)p["containerPort"]!}"));
        Assert.Equal(8081, (int)m.One("Service")["spec"]!["ports"]![0]!["port"]!);
        Assert.Null(Endpoint(m)["scheme"]);
        Assert.DoesNotContain(m.OfKind("ClusterRole"), r => Manifests.Name(r).EndsWith("-metrics-auth", StringComparison.Ordinal) || Manifests.Name(r).EndsWith("-metrics-reader", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_with_a_self_signed_certificate_metrics_move_to_https_and_the_ServiceMonitor_skips_verification()
    {
        var m = await Support.Chart.TemplateAsync("monitoring-values.yaml", "metrics.secure.enabled=true");
        var container = Container(m);

        Assert.Equal(["--metrics-secure", "--metrics-port=8443"], Args(m).Where(a => a.StartsWith("--metrics-", StringComparison.Ordinal)));
        Assert.Equal(["probes/8081", "metrics/8443"], container["ports"]!.AsArray().Select(p => $"{(string?)p!["name"]}/{(int)p["containerPort"]!}"));
        Assert.Equal("probes", (string?)container["livenessProbe"]!["httpGet"]!["port"]);
        Assert.Equal("probes", (string?)container["readinessProbe"]!["httpGet"]!["port"]);
        var servicePort = m.One("Service")["spec"]!["ports"]![0]!;
        Assert.Equal((8443, "metrics"), ((int)servicePort["port"]!, (string?)servicePort["targetPort"]));
        var endpoint = Endpoint(m);
        Assert.Equal(("https", "/var/run/secrets/kubernetes.io/serviceaccount/token"), ((string?)endpoint["scheme"], (string?)endpoint["bearerTokenFile"]));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["insecureSkipVerify"] = true }, endpoint["tlsConfig"]));
        Assert.DoesNotContain(container["volumeMounts"]!.AsArray(), v => (string?)v!["name"] == "metrics-certs");
    }

    [Fact]
    public async Task On_the_operator_may_create_token_and_access_reviews_and_Prometheus_gets_a_reader_role_to_bind()
    {
        var m = await Support.Chart.TemplateAsync(string.Empty, "metrics.secure.enabled=true");
        var auth = m.One("ClusterRole", "cryptoindex-operator-metrics-auth");
        var binding = m.One("ClusterRoleBinding", "cryptoindex-operator-metrics-auth");
        var reader = m.One("ClusterRole", "cryptoindex-operator-metrics-reader");

        Assert.Equal(
            ["authentication.k8s.io/tokenreviews:create", "authorization.k8s.io/subjectaccessreviews:create"],
            auth["rules"]!.AsArray().Select(r => $"{r!["apiGroups"]![0]}/{r["resources"]![0]}:{string.Join(',', r["verbs"]!.AsArray())}"));
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal(("ServiceAccount", "cryptoindex-operator", Support.Chart.Namespace), ((string?)subject["kind"], (string?)subject["name"], (string?)subject["namespace"]));
        Assert.Equal("cryptoindex-operator-metrics-auth", (string?)binding["roleRef"]!["name"]);
        var rule = Assert.Single(reader["rules"]!.AsArray())!;
        Assert.Equal(["/metrics"], rule["nonResourceURLs"]!.AsArray().Select(u => (string)u!));
        Assert.Equal(["get"], rule["verbs"]!.AsArray().Select(v => (string)v!));
        Assert.Null(rule["resources"]);
        Assert.Empty((await Support.Chart.TemplateAsync(string.Empty, "metrics.secure.enabled=true", "rbac.create=false")).OfKind("ClusterRole"));
    }

    [Fact]
    public async Task With_a_certificate_Secret_it_is_mounted_for_the_operator_and_the_ServiceMonitor_verifies_it()
    {
        var m = await Support.Chart.TemplateAsync("secure-metrics-values.yaml");
        var container = Container(m);
        var pod = m.One("Deployment")["spec"]!["template"]!["spec"]!;

        Assert.Equal(["--metrics-secure", "--metrics-port=9443", "--metrics-cert-dir=/etc/cryptoindex/metrics-certs"], Args(m).Where(a => a.StartsWith("--metrics-", StringComparison.Ordinal)));
        var mount = Assert.Single(container["volumeMounts"]!.AsArray(), v => (string?)v!["name"] == "metrics-certs")!;
        Assert.Equal(("/etc/cryptoindex/metrics-certs", true), ((string?)mount["mountPath"], (bool)mount["readOnly"]!));
        var volume = Assert.Single(pod["volumes"]!.AsArray(), v => (string?)v!["name"] == "metrics-certs")!;
        Assert.Equal("cryptoindex-operator-metrics-tls", (string?)volume["secret"]!["secretName"]);
        var tls = Endpoint(m)["tlsConfig"]!;
        Assert.Equal("cryptoindex-operator-metrics.cryptoindex-system.svc", (string?)tls["serverName"]);
        Assert.Equal(("cryptoindex-operator-metrics-tls", "ca.crt"), ((string?)tls["ca"]!["secret"]!["name"], (string?)tls["ca"]!["secret"]!["key"]));
        Assert.Null(tls["insecureSkipVerify"]);
        var ports = m.One("NetworkPolicy")["spec"]!["ingress"]![0]!["ports"]!.AsArray().Select(p => (int)p!["port"]!);
        Assert.Equal([8081, 9443], ports);
    }

    [Theory]
    [InlineData("metrics.secure.port=8081", "metrics.secure.port must differ from operator.port")]
    [InlineData("extraArgs[0]=--metrics-port=9000", "extraArgs: --metrics-port is set by the chart from metrics.secure.port")]
    [InlineData("extraArgs[0]=--metrics-secure", "extraArgs: --metrics-secure is set by the chart from metrics.secure.enabled")]
    public async Task Conflicting_settings_are_refused(string set, string message)
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, ["metrics.secure.enabled=true", set]);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains(message, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upgrade_reusing_values_from_an_older_chart_without_the_setting_renders_plain_metrics()
    {
        var m = await Support.Chart.TemplateAsync("monitoring-values.yaml", "metrics.secure=null", "networkPolicy.enabled=true");

        Assert.DoesNotContain(Args(m), a => a.StartsWith("--metrics-", StringComparison.Ordinal));
        Assert.Null(Endpoint(m)["scheme"]);
    }
}
