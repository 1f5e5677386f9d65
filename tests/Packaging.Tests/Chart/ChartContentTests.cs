using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>What the rendered chart says: least-privilege RBAC, the Deployment's arguments, settings and security.</summary>
public sealed class ChartContentTests
{
    private static JsonObject Container(Manifests m) => m.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    private static List<string> Args(Manifests m) => [.. Container(m)["args"]!.AsArray().Select(a => (string)a!)];

    private static Dictionary<string, string?> Env(Manifests m) =>
        Container(m)["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);

    [Fact]
    public async Task Watching_all_namespaces_grants_exactly_what_the_operator_calls_cluster_wide()
    {
        var m = await Support.Chart.TemplateAsync();

        // No Secret: Binance credentials are opt-in (rbac.exchangeCredentials), and best granted per namespace.
        Assert.Equal(Rbac.ManagerWithoutSecrets, Rbac.Permissions(m.One("ClusterRole", "cryptoindex-operator-manager")));
        Assert.Equal(Rbac.LeaderElection, Rbac.Permissions(m.One("Role", "cryptoindex-operator-leader-election")));
        var binding = m.One("ClusterRoleBinding", "cryptoindex-operator-manager");
        Assert.Equal(("ServiceAccount", "cryptoindex-operator", Support.Chart.Namespace),
            ((string?)binding["subjects"]![0]!["kind"], (string?)binding["subjects"]![0]!["name"], (string?)binding["subjects"]![0]!["namespace"]));
        Assert.DoesNotContain(m.OfKind("ClusterRole").Concat(m.OfKind("Role")).SelectMany(Rbac.Permissions), p => p.Contains('*', StringComparison.Ordinal));
        Assert.DoesNotContain(m.OfKind("Role"), r => Manifests.Name(r).EndsWith("coingecko-key", StringComparison.Ordinal));
        Assert.DoesNotContain(Args(m), a => a.StartsWith("--watch-namespaces", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watching_listed_namespaces_grants_a_role_in_each_and_nothing_cluster_wide_for_funds()
    {
        var m = await Support.Chart.TemplateAsync("ha-namespaced-values.yaml");

        Assert.Contains("--watch-namespaces=funds-a,funds-b", Args(m));
        Assert.Empty(m.OfKind("ClusterRoleBinding"));
        foreach (var ns in new[] { "funds-a", "funds-b" })
        {
            var role = Assert.Single(m.OfKind("Role"), r => (string?)r["metadata"]!["namespace"] == ns);
            Assert.Equal(Rbac.Manager, Rbac.Permissions(role));
            Assert.Single(m.OfKind("RoleBinding"), r => (string?)r["metadata"]!["namespace"] == ns && (string?)r["roleRef"]!["name"] == Manifests.Name(role));
        }

        // The only ClusterRoles left are the aggregated ones for people.
        Assert.All(m.OfKind("ClusterRole"), r => Assert.Contains(r["metadata"]!["labels"]!.AsObject(), l => l.Key.StartsWith("rbac.authorization.k8s.io/aggregate-to-", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task People_get_indexfund_rights_through_the_aggregated_view_edit_and_admin_roles()
    {
        var m = await Support.Chart.TemplateAsync();

        var viewer = m.One("ClusterRole", "cryptoindex-operator-indexfund-viewer");
        var editor = m.One("ClusterRole", "cryptoindex-operator-indexfund-editor");
        Assert.Equal("true", (string?)viewer["metadata"]!["labels"]!["rbac.authorization.k8s.io/aggregate-to-view"]);
        Assert.Equal("true", (string?)editor["metadata"]!["labels"]!["rbac.authorization.k8s.io/aggregate-to-edit"]);
        Assert.Equal("true", (string?)editor["metadata"]!["labels"]!["rbac.authorization.k8s.io/aggregate-to-admin"]);
        Assert.DoesNotContain(Rbac.Permissions(viewer), p => p.EndsWith(":create", StringComparison.Ordinal) || p.EndsWith(":patch", StringComparison.Ordinal));
        Assert.Contains("cryptoindex.io/indexfunds:create", Rbac.Permissions(editor));
        Assert.DoesNotContain("cryptoindex.io/indexfunds/status:patch", Rbac.Permissions(editor)); // status is the operator's
        Assert.DoesNotContain((await Support.Chart.TemplateAsync("minimal-values.yaml")).OfKind("ClusterRole"), r => Manifests.Name(r).Contains("indexfund-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_operator_runs_non_root_on_a_read_only_filesystem_with_probes_on_its_port()
    {
        var m = await Support.Chart.TemplateAsync();
        var pod = m.One("Deployment")["spec"]!["template"]!["spec"]!;
        var container = Container(m);

        Assert.Equal(["run", "--port=8081", "--leader-elect=true", "--lease-name=cryptoindex-operator", "--max-concurrent-reconciles=4", "--graceful-shutdown-timeout=30s", "--reconcile-timeout=5m"], Args(m));
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.Equal(1654, (int)pod["securityContext"]!["runAsUser"]!);
        Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("/tmp", (string?)container["volumeMounts"]![0]!["mountPath"]);
        Assert.NotNull(pod["volumes"]![0]!["emptyDir"]);
        Assert.Equal(("/healthz", "metrics"), ((string?)container["livenessProbe"]!["httpGet"]!["path"], (string?)container["livenessProbe"]!["httpGet"]!["port"]));
        Assert.Equal(("/readyz", "metrics"), ((string?)container["readinessProbe"]!["httpGet"]!["path"], (string?)container["readinessProbe"]!["httpGet"]!["port"]));
        Assert.Equal(8081, (int)container["ports"]![0]!["containerPort"]!);
        Assert.NotNull(container["resources"]!["requests"]);
        Assert.Equal("metadata.namespace", (string?)container["env"]![0]!["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal(("json", "Information"), (Env(m)["Logging__Console__FormatterName"], Env(m)["Logging__LogLevel__Default"]));
        Assert.Equal("metrics", (string?)m.One("Service")["spec"]!["ports"]![0]!["name"]);
        Assert.Empty(m.OfKind("PodDisruptionBudget"));
        // Rolling updates are safe behind the lease. Written out (Kubernetes' defaults) so that the release owns
        // rollingUpdate and a server-side-apply upgrade to Recreate (leader election off) removes it.
        var strategy = m.One("Deployment")["spec"]!["strategy"]!;
        Assert.Equal(("RollingUpdate", "25%", "25%"), ((string?)strategy["type"], (string?)strategy["rollingUpdate"]!["maxSurge"], (string?)strategy["rollingUpdate"]!["maxUnavailable"]));
    }

    [Fact]
    public async Task Two_replicas_elect_a_leader_and_keep_one_available()
    {
        var m = await Support.Chart.TemplateAsync("ha-namespaced-values.yaml");

        Assert.Equal(2, (int)m.One("Deployment")["spec"]!["replicas"]!);
        Assert.Contains("--leader-elect=true", Args(m));
        Assert.Contains("--lease-name=cryptoindex-operator", Args(m));
        Assert.Equal(1, (int)m.One("PodDisruptionBudget")["spec"]!["minAvailable"]!);
        Assert.Equal(Rbac.LeaderElection, Rbac.Permissions(m.One("Role", "cryptoindex-operator-leader-election")));
    }

    [Theory]
    [InlineData("leaderElection.leaseName=funds-eu", "--lease-name=funds-eu", true)]
    [InlineData("extraArgs={--lease-name=funds-eu}", "--lease-name=funds-eu", false)] // as releases before leaseName did it
    [InlineData("extraArgs={--lease-name,funds-eu}", "--lease-name", false)]
    [InlineData("leaderElection.leaseName=funds-eu,extraArgs={--lease-namespace=ops}", "--lease-name=funds-eu", true)] // another flag
    public async Task A_release_can_elect_on_its_own_Lease_and_may_renew_only_that_one(string set, string arg, bool passedByTheChart)
    {
        var m = await Support.Chart.TemplateAsync("", set);

        Assert.Equal(1, Args(m).Count(a => a == "--lease-name" || a.StartsWith("--lease-name=", StringComparison.Ordinal))); // never twice: the operator would refuse to start
        Assert.Contains(arg, Args(m));
        Assert.Equal(passedByTheChart, !Args(m)[^1].Contains("funds-eu", StringComparison.Ordinal)); // extraArgs come last
        Assert.Equal(
            new SortedSet<string>(StringComparer.Ordinal)
            {
                "coordination.k8s.io/leases:create", "coordination.k8s.io/leases:get@funds-eu", "coordination.k8s.io/leases:update@funds-eu",
            },
            Rbac.Permissions(m.One("Role", "cryptoindex-operator-leader-election")));
    }

    [Theory]
    [InlineData("leaderElection.leaseName=null")] // values reused from a chart version before leaseName (helm upgrade --reuse-values)
    [InlineData("leaderElection.leaseName=")]
    [InlineData("leaderElection.leaseName=null,rbac.create=false")]
    public async Task A_missing_or_empty_lease_name_falls_back_to_the_default_Lease(string set)
    {
        var m = await Support.Chart.TemplateAsync("", set);

        Assert.Contains("--lease-name=cryptoindex-operator", Args(m));
        if (!set.Contains("rbac.create=false", StringComparison.Ordinal))
        {
            Assert.Equal(Rbac.LeaderElection, Rbac.Permissions(m.One("Role", "cryptoindex-operator-leader-election")));
        }
    }

    [Theory]
    [InlineData("extraArgs={--port=9000}", "extraArgs: --port is set by the chart from operator.port; set it there")]
    [InlineData("extraArgs={--leader-elect=false}", "extraArgs: --leader-elect is set by the chart from leaderElection.enabled")]
    [InlineData("metrics.service.enabled=false,prometheusRule.enabled=true,prometheusRule.renderMode=alwaysRender", "prometheusRule.enabled without metrics.service.enabled needs prometheusRule.selector")]
    [InlineData("extraArgs={--port:9000}", "extraArgs: --port is set by the chart from operator.port")]
    [InlineData("extraArgs={--lease-name=}", "extraArgs: --lease-name needs a name")]
    [InlineData("extraArgs={--lease-name}", "extraArgs: --lease-name needs a name")]
    public async Task Values_that_would_make_a_broken_install_are_refused_with_what_to_set_instead(string set, string message)
    {
        var result = await Support.Chart.TryTemplateAsync("", [set]);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains(message, result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_settings_reach_the_process_as_arguments_and_environment()
    {
        var m = await Support.Chart.TemplateAsync("settings-values.yaml");
        var env = Env(m);
        var container = Container(m);

        Assert.Equal(["run", "--port=9090", "--leader-elect=false", "--max-concurrent-reconciles=8", "--graceful-shutdown-timeout=20s", "--reconcile-timeout=10m", "--lease-namespace=cryptoindex-system"], Args(m));
        Assert.Equal("Recreate", (string?)m.One("Deployment")["spec"]!["strategy"]!["type"]); // no lease: never two pods at once
        Assert.Null(m.One("Deployment")["spec"]!["strategy"]!["rollingUpdate"]); // refused beside Recreate
        Assert.DoesNotContain(m.OfKind("Role"), r => Manifests.Name(r).EndsWith("leader-election", StringComparison.Ordinal));
        Assert.Equal("http://coingecko-proxy.internal:8080/api/v3/", env["MarketData__CoinGecko__BaseUrl"]);
        Assert.Equal("10", env["MarketData__CoinGeckoRequestsPerMinute"]);
        Assert.Equal("http://binance-proxy.internal:8080/", env["MarketData__BinanceBaseUrl"]);
        Assert.Equal("http://binance-trading-proxy.internal:8080/", env["Exchanges__Binance__BaseUrl"]);
        Assert.Equal("/etc/cryptoindex/prices/prices.json", env["MarketData__FilePath"]);
        Assert.Equal(("simple", "Debug"), (env["Logging__Console__FormatterName"], env["Logging__LogLevel__Default"]));
        Assert.Equal("0", env["DOTNET_gcServer"]); // extraEnv
        Assert.Contains(container["volumeMounts"]!.AsArray(), v => (string?)v!["mountPath"] == "/etc/cryptoindex/prices" && (bool)v["readOnly"]!);
        Assert.Contains(m.One("Deployment")["spec"]!["template"]!["spec"]!["volumes"]!.AsArray(), v => (string?)v!["configMap"]?["name"] == "cryptoindex-prices");
        Assert.EndsWith("@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", (string?)container["image"], StringComparison.Ordinal);
        Assert.Equal(9090, (int)container["ports"]![0]!["containerPort"]!);
        Assert.Equal(9090, (int)m.One("Service")["spec"]!["ports"]![0]!["port"]!);
        Assert.Equal("fund-operator", (string?)m.One("Deployment")["spec"]!["template"]!["spec"]!["serviceAccountName"]);
    }

    [Fact]
    public async Task The_CoinGecko_key_is_read_from_one_named_Secret_only()
    {
        var m = await Support.Chart.TemplateAsync("ha-namespaced-values.yaml");

        Assert.Equal("cryptoindex-system/coingecko/apiKey", Env(m)["MarketData__CoinGecko__ApiKeySecret"]);
        Assert.Equal("Pro", Env(m)["MarketData__CoinGecko__Plan"]);
        var role = m.One("Role", "cryptoindex-operator-coingecko-key");
        Assert.Equal(["/secrets:get@coingecko"], Rbac.Permissions(role));
    }

    [Fact]
    public async Task Monitoring_objects_follow_their_render_mode()
    {
        string[] on = ["serviceMonitor.enabled=true", "prometheusRule.enabled=true"];

        var skipped = await Support.Chart.TemplateAsync(string.Empty, on);
        var served = await Support.Chart.TryTemplateAsync(string.Empty, on, null,
            "--api-versions", "monitoring.coreos.com/v1/ServiceMonitor", "--api-versions", "monitoring.coreos.com/v1/PrometheusRule");
        var failing = await Support.Chart.TryTemplateAsync(string.Empty, [.. on, "serviceMonitor.renderMode=failIfMissing"]);

        Assert.Empty(skipped.OfKind("ServiceMonitor").Concat(skipped.OfKind("PrometheusRule")));
        Assert.Equal(0, served.Exit);
        var rendered = Manifests.Parse(served.Out);
        Assert.Single(rendered.OfKind("ServiceMonitor"));
        Assert.Single(rendered.OfKind("PrometheusRule"));
        Assert.NotEqual(0, failing.Exit);
        Assert.Contains("monitoring.coreos.com/v1/ServiceMonitor is not served", failing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dashboard_ConfigMap_carries_the_dashboard_file_for_the_Grafana_sidecar()
    {
        var m = await Support.Chart.TemplateAsync("monitoring-values.yaml");
        var file = await File.ReadAllTextAsync(Path.Combine(Support.Chart.Folder, "files", "dashboards", "cryptoindex-operator.json"));

        var configMap = m.One("ConfigMap", "cryptoindex-operator-dashboard");

        Assert.Equal(file.TrimEnd('\n'), (string?)configMap["data"]!["cryptoindex-operator.json"]);
        Assert.Equal("1", (string?)configMap["metadata"]!["labels"]!["grafana_dashboard"]);
        Assert.Equal("CryptoIndex", (string?)configMap["metadata"]!["annotations"]!["grafana_folder"]);
        Assert.Equal("kps", (string?)m.One("ServiceMonitor")["metadata"]!["labels"]!["release"]);
        Assert.DoesNotContain(m.One("PrometheusRule")["spec"]!["groups"]![0]!["rules"]!.AsArray(), r => (string?)r!["alert"] == "CryptoIndexFundDriftNotRebalanced");
        Assert.Contains(m.One("PrometheusRule")["spec"]!["groups"]![0]!["rules"]!.AsArray(), r => (string?)r!["record"] == "cryptoindex:fund_nav:sum");
    }
}
