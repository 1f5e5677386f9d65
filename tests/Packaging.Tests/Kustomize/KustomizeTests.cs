using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Kustomize;

/// <summary>
/// The kubebuilder-style config/ for users without Helm: every kustomization builds with the pinned kubectl, parses
/// strictly, passes the node model schemas, applies to LocalKube, and grants what the chart grants.
/// </summary>
public sealed class KustomizeTests
{
    private static async Task<string> BuildAsync(string folder) => await Tool.OkAsync(Tool.Kubectl, "kustomize", RepositoryPaths.Combine(folder));

    private static async Task<Manifests> CheckedAsync(string folder)
    {
        var yaml = await BuildAsync(folder);
        var withoutModel = StrictModels.ParseOrFail(yaml);
        var manifests = Manifests.Parse(yaml);
        await NodeModels.ValidateOrFailAsync(manifests.Objects);
        Assert.All(withoutModel, o => Assert.Contains((string)o["apiVersion"]!, new[] { "monitoring.coreos.com/v1", "cryptoindex.io/v1alpha1" }));
        return manifests;
    }

    [Fact]
    public async Task The_default_overlay_installs_the_operator_and_kubectl_applies_it()
    {
        var m = await CheckedAsync("config/default");

        Assert.All(m.Objects.Where(o => o["metadata"]!["namespace"] is not null), o => Assert.Equal("cryptoindex-system", (string?)o["metadata"]!["namespace"]));
        Assert.Equal("cryptoindex-system", Manifests.Name(m.One("Namespace")));
        var deployment = m.One("Deployment", "cryptoindex-operator");
        Assert.Equal("cryptoindex-operator", (string?)deployment["spec"]!["template"]!["spec"]!["serviceAccountName"]);
        Assert.Equal("ghcr.io/cryptoindex/cryptoindex-operator:0.1.0", (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("cryptoindex-operator", (string?)m.One("ClusterRoleBinding")["subjects"]![0]!["name"]);
        Assert.Equal("cryptoindex-operator-metrics", Manifests.Name(m.One("Service")));

        await using var cluster = await ApplyCluster.StartAsync();
        var applied = await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "default"));
        Assert.Equal(m.Objects.Count, applied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        // The funds then go in with the samples kustomization, validated by the CRD's schema.
        await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "samples"), "-n", "default");
        var funds = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "ifund", "-n", "default", "-o", "json"))!["items"]!.AsArray();
        Assert.Equal(Directory.GetFiles(RepositoryPaths.Combine("config", "samples"), "*.yaml").Length - 1, funds.Count);
    }

    [Fact]
    public async Task The_binance_overlay_adds_only_reading_secrets_for_the_operators_service_account()
    {
        var plain = await CheckedAsync("config/default");
        var binance = await CheckedAsync("config/binance");

        static string KindAndName(JsonObject o) => (string)o["kind"]! + "/" + Manifests.Name(o);
        var added = binance.Objects.Select(KindAndName).Except(plain.Objects.Select(KindAndName)).Order().ToList();
        Assert.Equal(["ClusterRole/cryptoindex-operator-exchange-credentials", "ClusterRoleBinding/cryptoindex-operator-exchange-credentials"], added);
        Assert.Equal(plain.Objects.Count + 2, binance.Objects.Count);
        Assert.Equal(["/secrets:get"], Rbac.Permissions(binance.One("ClusterRole", "cryptoindex-operator-exchange-credentials")));
        var binding = binance.One("ClusterRoleBinding", "cryptoindex-operator-exchange-credentials");
        var account = plain.One("ServiceAccount");
        Assert.Equal((Manifests.Name(account), (string?)account["metadata"]!["namespace"]), ((string?)binding["subjects"]![0]!["name"], (string?)binding["subjects"]![0]!["namespace"]));
        // With both, the operator holds exactly what it calls, as with the chart's rbac.exchangeCredentials.
        Assert.Equal(Rbac.Manager, new SortedSet<string>(Rbac.Permissions(binance.One("ClusterRole", "cryptoindex-operator-manager")).Concat(["/secrets:get"]), StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_namespaced_binance_overlay_binds_reading_secrets_in_the_funds_namespace_only()
    {
        var plain = await CheckedAsync("config/default");
        var binance = await CheckedAsync("config/binance-namespaced");

        static string KindAndPlace(JsonObject o) => $"{(string)o["kind"]!}/{(string?)o["metadata"]!["namespace"]}/{Manifests.Name(o)}";
        var added = binance.Objects.Select(KindAndPlace).Except(plain.Objects.Select(KindAndPlace)).Order().ToList();
        Assert.Equal(["ClusterRole//cryptoindex-operator-exchange-credentials", "RoleBinding/funds/cryptoindex-operator-exchange-credentials"], added);
        Assert.Equal(plain.Objects.Count + 2, binance.Objects.Count);
        Assert.Equal(["/secrets:get"], Rbac.Permissions(binance.One("ClusterRole", "cryptoindex-operator-exchange-credentials")));
        var binding = binance.One("RoleBinding", "cryptoindex-operator-exchange-credentials");
        Assert.Equal(("ClusterRole", "cryptoindex-operator-exchange-credentials"), ((string?)binding["roleRef"]!["kind"], (string?)binding["roleRef"]!["name"]));
        var account = plain.One("ServiceAccount");
        Assert.Equal((Manifests.Name(account), (string?)account["metadata"]!["namespace"]), ((string?)binding["subjects"]![0]!["name"], (string?)binding["subjects"]![0]!["namespace"]));
        Assert.Equal(Rbac.ManagerWithoutSecrets, Rbac.Permissions(binance.One("ClusterRole", "cryptoindex-operator-manager")));

        await using var cluster = await ApplyCluster.StartAsync("funds");
        var applied = await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "binance-namespaced"));
        Assert.Equal(binance.Objects.Count, applied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task The_patch_in_the_namespaced_overlay_comments_moves_its_binding_to_your_namespace()
    {
        // The overlay of your own its comments show, run as written: the patch, and a copied binding for another namespace.
        var comments = (await File.ReadAllLinesAsync(RepositoryPaths.Combine("config", "binance-namespaced", "kustomization.yaml"))).Select(l => l.TrimStart('#'));
        var patches = comments.SkipWhile(l => !l.StartsWith("   patches:", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith("   ", StringComparison.Ordinal)).Select(l => l[3..]).ToList();
        Assert.NotEmpty(patches);
        var root = Directory.CreateTempSubdirectory("my-binance-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(root, "cryptoindex"), RepositoryPaths.Root);
            var folder = Directory.CreateDirectory(Path.Combine(root, "my-operator")).FullName;
            var binding = await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "binance-namespaced", "exchange_credentials_role_binding.yaml"));
            await File.WriteAllTextAsync(Path.Combine(folder, "team-b.yaml"), binding.Replace("namespace: funds", "namespace: team-b", StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(folder, "kustomization.yaml"), string.Join('\n', ["resources:", "  - ../cryptoindex/config/binance-namespaced", "  - team-b.yaml", .. patches]));

            var m = Manifests.Parse(await Tool.OkAsync(Tool.Kubectl, "kustomize", folder));

            Assert.Equal(["team-a", "team-b"], m.OfKind("RoleBinding").Where(b => Manifests.Name(b) == "cryptoindex-operator-exchange-credentials").Select(b => (string?)b["metadata"]!["namespace"]).Order());
            Assert.DoesNotContain(m.OfKind("ClusterRoleBinding"), b => Manifests.Name(b) == "cryptoindex-operator-exchange-credentials");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Kustomize_and_the_chart_grant_the_same_permissions_and_run_the_same_command()
    {
        var config = await CheckedAsync("config/default");
        var chart = await Support.Chart.TemplateAsync();

        Assert.Equal(Rbac.ManagerWithoutSecrets, Rbac.Permissions(config.One("ClusterRole", "cryptoindex-operator-manager")));
        Assert.Equal(Rbac.Permissions(chart.One("ClusterRole", "cryptoindex-operator-manager")), Rbac.Permissions(config.One("ClusterRole", "cryptoindex-operator-manager")));
        Assert.Equal(Rbac.LeaderElection, Rbac.Permissions(config.One("Role", "cryptoindex-operator-leader-election")));
        Assert.Equal(Rbac.Permissions(chart.One("ClusterRole", "cryptoindex-operator-indexfund-viewer")), Rbac.Permissions(config.One("ClusterRole", "cryptoindex-indexfund-viewer")));
        Assert.Equal(Rbac.Permissions(chart.One("ClusterRole", "cryptoindex-operator-indexfund-editor")), Rbac.Permissions(config.One("ClusterRole", "cryptoindex-indexfund-editor")));
        var fromChart = chart.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var fromConfig = config.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        foreach (var field in new[] { "args", "ports", "livenessProbe", "readinessProbe", "resources", "securityContext", "volumeMounts" })
        {
            Assert.True(JsonNode.DeepEquals(fromChart[field], fromConfig[field]), $"container {field} differs:\nchart: {fromChart[field]}\nconfig: {fromConfig[field]}");
        }

        var chartEnv = fromChart["env"]!.AsArray().Where(e => ((string)e!["name"]!).StartsWith("Logging__", StringComparison.Ordinal) || (string?)e!["name"] == "POD_NAMESPACE");
        Assert.True(JsonNode.DeepEquals(new JsonArray([.. chartEnv.Select(e => e!.DeepClone())]), fromConfig["env"]), "the logging and namespace environment differs");
        Assert.True(JsonNode.DeepEquals(chart.One("Deployment")["spec"]!["template"]!["spec"]!["securityContext"], config.One("Deployment")["spec"]!["template"]!["spec"]!["securityContext"]));
    }

    [Fact]
    public async Task The_prometheus_kustomization_holds_the_chart_alerts_and_a_monitor_of_the_metrics_service()
    {
        var m = await CheckedAsync("config/prometheus");
        var service = (await CheckedAsync("config/default")).One("Service");

        var selector = m.One("ServiceMonitor")["spec"]!["selector"]!["matchLabels"]!.AsObject();
        Assert.All(selector, label => Assert.Equal((string?)label.Value, (string?)service["metadata"]!["labels"]![label.Key]));
        Assert.Equal("metrics", (string?)m.One("ServiceMonitor")["spec"]!["endpoints"]![0]!["port"]);
        var chartRules = (await Support.Chart.TemplateAsync(string.Empty, "prometheusRule.enabled=true", "prometheusRule.renderMode=alwaysRender")).One("PrometheusRule")["spec"];
        Assert.True(JsonNode.DeepEquals(chartRules, m.One("PrometheusRule")["spec"]), "config/prometheus/prometheusrule.yaml is not the chart's: run scripts/sync-packaging.sh");
    }

    [Fact]
    public async Task The_crds_kustomization_is_the_generated_CRD()
    {
        var m = await CheckedAsync("config/crds");
        var file = Manifests.ToJson(await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "crds", "cryptoindex.io_indexfunds.yaml")));

        Assert.True(JsonNode.DeepEquals(file, m.One("CustomResourceDefinition")));
    }
}
