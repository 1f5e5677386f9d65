using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Kustomize;

/// <summary>
/// Moving an operator installed with <c>kubectl apply -k</c> to the Helm chart: Helm refuses to install over the
/// kustomize objects, and scripts/kustomize-to-helm.sh clears the way without touching the CRD or any fund.
/// </summary>
public sealed class KustomizeToHelmTests
{
    private static readonly string Script = RepositoryPaths.Combine("scripts", "kustomize-to-helm.sh");

    [Fact]
    public async Task Helm_refuses_to_install_over_a_kustomize_install()
    {
        await using var cluster = await KustomizeInstalledAsync();
        using var helm = new HelmHome(cluster);

        var refused = await helm.RunAsync(Tool.Helm, "install", Support.Chart.Release, Support.Chart.Folder);

        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("invalid ownership metadata", refused.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("helm")]
    [InlineData("helm3")]
    public async Task The_script_hands_over_to_helm_keeping_the_CRD_and_every_fund(string helmName)
    {
        await using var cluster = await KustomizeInstalledAsync();
        using var helm = new HelmHome(cluster);
        var fundUid = await UidAsync(cluster, "ifund", "equal-weight", "-n", "default");
        var crdUid = await UidAsync(cluster, "crd", "indexfunds.cryptoindex.io");

        // The old operator's pod outlives its Deployment while it shuts down: its RBAC must stay until it is gone.
        await cluster.ApplyAsync(OperatorPod, "pod.yaml");
        var running = Tool.RunAsync("bash", [Script, "--overlay", "config/default", "--overlay", "config/prometheus"], environment: helm.Environment);
        await UntilAsync(async () => (await cluster.Kubectl.RunAsync("get", "deployment", "cryptoindex-operator", "-n", Support.Chart.Namespace)).Err.Contains("NotFound", StringComparison.Ordinal));
        Assert.False(running.IsCompleted);
        await cluster.Kubectl.OkAsync("get", "clusterrole", "cryptoindex-operator-manager");
        await cluster.Kubectl.OkAsync("delete", "pod", "cryptoindex-operator-7d9f-x2k4q", "-n", Support.Chart.Namespace);
        var script = await running;
        Assert.True(script.Exit == 0, script.Describe("kustomize-to-helm.sh"));
        Assert.Contains($"helm install {Support.Chart.Release} charts/cryptoindex-operator --namespace {Support.Chart.Namespace}", script.Out, StringComparison.Ordinal);
        Assert.Contains(ImageFlags, script.Out, StringComparison.Ordinal);
        Assert.Contains("The CRD and every IndexFund are in place; no operator is running.", script.Out, StringComparison.Ordinal);

        // Everything the overlays made is gone except the Namespace, the CRD and the funds.
        foreach (var (kind, name) in new[] { ("deployment", "cryptoindex-operator"), ("clusterrole", "cryptoindex-indexfund-editor"), ("servicemonitor", "cryptoindex-operator") })
        {
            var gone = await cluster.Kubectl.RunAsync("get", kind, name, "-n", Support.Chart.Namespace);
            Assert.Contains("NotFound", gone.Err, StringComparison.Ordinal);
        }

        await cluster.Kubectl.OkAsync("get", "namespace", Support.Chart.Namespace);

        var installed = await helm.RunAsync(Tool.Path(helmName), "install", Support.Chart.Release, Support.Chart.Folder, "--set", "serviceMonitor.enabled=true");
        Assert.True(installed.Exit == 0, installed.Describe($"{helmName} install"));
        var deployment = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "deployment", Support.Chart.Release, "-n", Support.Chart.Namespace, "-o", "json"))!;
        Assert.Equal(Support.Chart.Release, (string?)deployment["spec"]!["selector"]!["matchLabels"]!["app.kubernetes.io/instance"]);
        var crd = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "crd", "indexfunds.cryptoindex.io", "-o", "json"))!;
        Assert.Equal("Helm", (string?)crd["metadata"]!["labels"]!["app.kubernetes.io/managed-by"]);
        Assert.Equal(crdUid, (string?)crd["metadata"]!["uid"]);
        Assert.Equal(fundUid, await UidAsync(cluster, "ifund", "equal-weight", "-n", "default"));

        // The adopted CRD is the release's now, and kept by crds.keep like one the chart created.
        var uninstalled = await helm.RunAsync(Tool.Path(helmName), "uninstall", Support.Chart.Release);
        Assert.True(uninstalled.Exit == 0, uninstalled.Describe($"{helmName} uninstall"));
        Assert.Equal(fundUid, await UidAsync(cluster, "ifund", "equal-weight", "-n", "default"));
    }

    [Fact]
    public async Task Overlays_that_render_funds_are_refused_before_anything_changes()
    {
        await using var cluster = await KustomizeInstalledAsync();
        using var helm = new HelmHome(cluster);

        var script = await Tool.RunAsync("bash", [Script, "--overlay", "config/default", "--overlay", "config/samples"], environment: helm.Environment);

        Assert.Equal(2, script.Exit);
        Assert.Contains("IndexFund equal-weight", script.Err, StringComparison.Ordinal);
        await cluster.Kubectl.OkAsync("get", "ifund", "equal-weight", "-n", "default");
        await cluster.Kubectl.OkAsync("get", "deployment", "cryptoindex-operator", "-n", Support.Chart.Namespace);
        var crd = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "crd", "indexfunds.cryptoindex.io", "-o", "json"))!;
        Assert.Null(crd["metadata"]!["annotations"]?["meta.helm.sh/release-name"]);
    }

    [Fact]
    public async Task A_dry_run_lists_the_objects_and_changes_nothing_without_asking_the_cluster()
    {
        await using var cluster = await KustomizeInstalledAsync();
        using var helm = new HelmHome(cluster);
        cluster.Cluster.Requests.Clear();

        var script = await Tool.RunAsync("bash", [Script, "--dry-run"], environment: helm.Environment);

        Assert.True(script.Exit == 0, script.Describe("kustomize-to-helm.sh --dry-run"));
        Assert.Empty(cluster.Cluster.Requests.All);
        Assert.Contains("Dry run: nothing was changed", script.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("The CRD and every IndexFund are in place", script.Out, StringComparison.Ordinal);
        Assert.Contains($"helm install {Support.Chart.Release} charts/cryptoindex-operator --namespace {Support.Chart.Namespace}", script.Out, StringComparison.Ordinal);
        Assert.Contains(ImageFlags, script.Out, StringComparison.Ordinal);
        Assert.Contains("ClusterRole cryptoindex-indexfund-viewer", script.Out, StringComparison.Ordinal);
        Assert.Contains("ClusterRoleBinding cryptoindex-operator-exchange-credentials", script.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Namespace cryptoindex-system", script.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("CustomResourceDefinition", script.Out, StringComparison.Ordinal);
        await cluster.Kubectl.OkAsync("get", "deployment", "cryptoindex-operator", "-n", Support.Chart.Namespace);
        var crd = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "crd", "indexfunds.cryptoindex.io", "-o", "json"))!;
        Assert.Null(crd["metadata"]!["annotations"]?["meta.helm.sh/release-name"]);
    }

    [Theory]
    [InlineData("config/binance", "registry.local:5000/team/cryptoindex-operator:1.4.2", "--set image.repository=registry.local:5000/team/cryptoindex-operator --set image.tag=1.4.2")]
    [InlineData("config/default", "registry.local:5000/cryptoindex-operator@sha256:" + Digest, "--set image.repository=registry.local:5000/cryptoindex-operator --set image.digest=sha256:" + Digest)]
    [InlineData("config/default", "cryptoindex-operator", "--set image.repository=cryptoindex-operator --set image.tag=latest")]
    public async Task By_default_the_script_clears_either_install_including_config_binances_Secret_reading(string applied, string runningImage, string imageFlags)
    {
        await using var cluster = await KustomizeInstalledAsync(applied);
        using var helm = new HelmHome(cluster);

        // The image was set after the apply (kubectl set image): the install keeps the one running, not the overlay's.
        var patch = $$"""[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "{{runningImage}}"}]""";
        await cluster.Kubectl.OkAsync("patch", "deployment", "cryptoindex-operator", "-n", Support.Chart.Namespace, "--type=json", "-p", patch);
        var script = await Tool.RunAsync("bash", [Script], environment: helm.Environment);

        // Left behind, the binding would let the chart's operator (the same ServiceAccount, default release) read every Secret.
        Assert.True(script.Exit == 0, script.Describe("kustomize-to-helm.sh"));
        Assert.Contains("--set rbac.exchangeCredentials=true", script.Out, StringComparison.Ordinal);
        Assert.Contains(imageFlags, script.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(ImageFlags, script.Out, StringComparison.Ordinal);
        foreach (var (kind, name) in new[] { ("deployment", "cryptoindex-operator"), ("clusterrole", "cryptoindex-operator-manager"), ("clusterrole", ExchangeCredentials), ("clusterrolebinding", ExchangeCredentials) })
        {
            var gone = await cluster.Kubectl.RunAsync("get", kind, name, "-n", Support.Chart.Namespace);
            Assert.Contains("NotFound", gone.Err, StringComparison.Ordinal);
        }

        await cluster.Kubectl.OkAsync("get", "ifund", "equal-weight", "-n", "default");
    }

    private const string ExchangeCredentials = "cryptoindex-operator-exchange-credentials";

    private const string Digest = "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    // The image the overlays render (and so the one their Deployment runs): the printed install keeps it.
    private const string ImageFlags = "--set image.repository=ghcr.io/cryptoindex/cryptoindex-operator --set image.tag=0.1.0";

    private const string OperatorPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: cryptoindex-operator-7d9f-x2k4q
          namespace: cryptoindex-system
          labels:
            app.kubernetes.io/name: cryptoindex-operator
        spec:
          containers:
            - name: operator
              image: ghcr.io/cryptoindex/cryptoindex-operator:0.1.0
        """;

    // Polls a process outside the test's control (the script); never a wait that makes something happen.
    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; !await condition(); attempt++)
        {
            Assert.True(attempt < 600, "the script did not get to deleting the Deployment within a minute");
            await Task.Delay(100);
        }
    }

    private static async Task<ApplyCluster> KustomizeInstalledAsync(string overlay = "config/default")
    {
        var cluster = await ApplyCluster.StartAsync();
        await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine(overlay));
        await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "prometheus"));
        await cluster.Kubectl.OkAsync("apply", "-f", RepositoryPaths.Combine("config", "samples", "equal-weight.yaml"), "-n", "default");
        return cluster;
    }

    private static async Task<string?> UidAsync(ApplyCluster cluster, params string[] what) =>
        (string?)JsonNode.Parse(await cluster.Kubectl.OkAsync(["get", .. what, "-o", "json"]))!["metadata"]!["uid"];
}
