using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// <c>helm install</c>, <c>upgrade</c> and <c>uninstall</c> against LocalKube, as users run them: the release goes
/// in, an upgrade changes the Deployment, and uninstalling keeps the CRD and the funds (crds.keep).
/// </summary>
public sealed class HelmLifecycleTests
{
    [Theory]
    [InlineData("helm")]
    [InlineData("helm3")]
    public async Task Install_upgrade_and_uninstall_keep_the_CRD_and_the_funds(string helm)
    {
        await using var cluster = await ApplyCluster.StartAsync(Support.Chart.Namespace);
        using var home = new HelmHome(cluster);
        async Task<string> HelmAsync(params string[] args)
        {
            var result = await home.RunAsync(Tool.Path(helm), args);
            Assert.True(result.Exit == 0, result.Describe($"{helm} {string.Join(' ', args)}"));
            return result.Out;
        }

        var notes = await HelmAsync("install", Support.Chart.Release, Support.Chart.Folder, "--set", "image.tag=dev");
        Assert.Contains("kubectl wait --for=condition=Ready ifund/equal-weight", notes, StringComparison.Ordinal);
        Assert.Contains("kubectl delete crd indexfunds.cryptoindex.io", notes, StringComparison.Ordinal);
        Assert.Contains(BinanceNote, notes, StringComparison.Ordinal);
        await cluster.Kubectl.OkAsync("get", "deployment", Support.Chart.Release, "-n", Support.Chart.Namespace);
        await cluster.Kubectl.OkAsync("apply", "-f", RepositoryPaths.Combine("config", "samples", "equal-weight.yaml"), "-n", "default");

        // The upgrade the notes tell Binance users to run, as printed (the chart from this repository's clone), plus one
        // more value: it must keep the install's image, as a plain --set would not.
        var printed = notes.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("helm upgrade ", StringComparison.Ordinal) && l.Contains("rbac.exchangeCredentials", StringComparison.Ordinal));
        Assert.Equal($"helm upgrade {Support.Chart.Release} charts/cryptoindex-operator -n {Support.Chart.Namespace} --reset-then-reuse-values --set rbac.exchangeCredentials=true", printed);
        string[] upgrade = [.. printed.Split(' ').Skip(1).Select(a => a == "charts/cryptoindex-operator" ? Support.Chart.Folder : a), "--set", "operator.logLevel=Debug"];
        var upgraded = await HelmAsync(upgrade);
        Assert.Contains("kubectl wait --for=condition=Ready ifund/equal-weight", upgraded, StringComparison.Ordinal);
        Assert.DoesNotContain(BinanceNote, upgraded, StringComparison.Ordinal);
        // Watching every namespace, that upgrade reads every Secret in the cluster: the notes say so, and the value that narrows it.
        Assert.Contains("WARNING: rbac.exchangeCredentials with watchNamespaces empty lets the operator read every Secret in the cluster.", upgraded, StringComparison.Ordinal);
        Assert.Contains("rbac.exchangeCredentialsNamespaces", upgraded, StringComparison.Ordinal);
        var deployment = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "deployment", Support.Chart.Release, "-n", Support.Chart.Namespace, "-o", "json"))!;
        Assert.Contains(deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray(),
            e => (string?)e!["name"] == "Logging__LogLevel__Default" && (string?)e["value"] == "Debug");
        // From the release, not the cluster: Helm 3's patch leaves an unchanged image out, and LocalKube only approximates
        // strategic merge (the container list is replaced), so the Deployment there may not show it.
        Assert.Contains("/cryptoindex-operator:dev\"", await HelmAsync("get", "manifest", Support.Chart.Release), StringComparison.Ordinal);
        var manager = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "clusterrole", Support.Chart.Release + "-manager", "-o", "json"))!;
        Assert.Contains(manager["rules"]!.AsArray(), r => r!["resources"]!.AsArray().Any(x => (string?)x == "secrets"));

        await HelmAsync("uninstall", Support.Chart.Release);
        var gone = await cluster.Kubectl.RunAsync("get", "deployment", Support.Chart.Release, "-n", Support.Chart.Namespace);
        Assert.Contains("NotFound", gone.Err, StringComparison.Ordinal);
        await cluster.Kubectl.OkAsync("get", "crd", "indexfunds.cryptoindex.io");
        await cluster.Kubectl.OkAsync("get", "ifund", "equal-weight", "-n", "default");
    }

    private const string BinanceNote = "Binance funds also need the operator to read their API key Secret";

    /// <summary>How the chart passed the Lease name before <c>leaderElection.leaseName</c> existed.</summary>
    public enum OlderLease
    {
        /// <summary>No --lease-name: the operator's default, cryptoindex-operator (the first chart version).</summary>
        OperatorDefault,

        /// <summary>--lease-name=&lt;full name&gt; (a later one, before leaseName became a value).</summary>
        FullName,
    }

    /// <summary>
    /// A copy of the chart as it was before <c>leaderElection.leaseName</c>: no such value, and the Lease passed as
    /// <paramref name="lease"/> says. Deleted with the returned folder's parent by the caller.
    /// </summary>
    private static string OlderChart(OlderLease lease)
    {
        var root = Directory.CreateTempSubdirectory("older-chart-").FullName;
        var folder = Path.Combine(root, "cryptoindex-operator");
        foreach (var file in Directory.GetFiles(Support.Chart.Folder, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(Support.Chart.Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var values = Path.Combine(folder, "values.yaml");
        var valuesText = File.ReadAllText(values);
        Assert.Contains("  leaseName: cryptoindex-operator\n", valuesText, StringComparison.Ordinal);
        File.WriteAllText(values, valuesText.Replace("  leaseName: cryptoindex-operator\n", string.Empty, StringComparison.Ordinal));

        var deployment = Path.Combine(folder, "templates", "deployment.yaml");
        var deploymentText = File.ReadAllText(deployment);
        const string LeaseArg = "            - --lease-name={{ include \"cryptoindex-operator.leaseName\" . }}\n";
        Assert.Contains(LeaseArg, deploymentText, StringComparison.Ordinal);
        File.WriteAllText(deployment, deploymentText.Replace(
            LeaseArg,
            lease == OlderLease.FullName ? "            - --lease-name={{ include \"cryptoindex-operator.fullname\" . }}\n" : string.Empty,
            StringComparison.Ordinal));
        return folder;
    }

    private static async Task<List<string>> OperatorArgsAsync(ApplyCluster cluster, string deployment)
    {
        var json = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "deployment", deployment, "-n", Support.Chart.Namespace, "-o", "json"))!;
        return [.. json["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!)];
    }

    [Theory]
    [InlineData("helm")]
    [InlineData("helm3")]
    public async Task An_upgrade_with_reuse_values_from_a_chart_without_leaseName_keeps_the_operators_Lease(string helm)
    {
        await using var cluster = await ApplyCluster.StartAsync(Support.Chart.Namespace);
        using var home = new HelmHome(cluster);
        var older = OlderChart(OlderLease.OperatorDefault);
        try
        {
            var installed = await home.RunAsync(Tool.Path(helm), "install", Support.Chart.Release, older);
            Assert.True(installed.Exit == 0, installed.Describe($"{helm} install (older chart)"));
            Assert.DoesNotContain(await OperatorArgsAsync(cluster, Support.Chart.Release), a => a.StartsWith("--lease-name", StringComparison.Ordinal));

            // --reuse-values takes the older chart's values, which have no leaderElection.leaseName.
            var upgraded = await home.RunAsync(Tool.Path(helm), "upgrade", Support.Chart.Release, Support.Chart.Folder, "--reuse-values");

            Assert.True(upgraded.Exit == 0, upgraded.Describe($"{helm} upgrade --reuse-values"));
            Assert.Contains("--lease-name=cryptoindex-operator", await OperatorArgsAsync(cluster, Support.Chart.Release));
            var role = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "role", "cryptoindex-operator-leader-election", "-n", Support.Chart.Namespace, "-o", "json"))!;
            Assert.Equal(Rbac.LeaderElection, Rbac.Permissions(role.AsObject()));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(older)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("helm")]
    [InlineData("helm3")]
    public async Task An_upgrade_that_would_move_a_running_operator_to_another_Lease_is_refused(string helm)
    {
        const string Release = "funds"; // objects and, in that chart version, the Lease: funds-cryptoindex-operator
        const string Deployment = "funds-cryptoindex-operator";
        await using var cluster = await ApplyCluster.StartAsync(Support.Chart.Namespace);
        using var home = new HelmHome(cluster);
        var older = OlderChart(OlderLease.FullName);
        try
        {
            var installed = await home.RunAsync(Tool.Path(helm), "install", Release, older);
            Assert.True(installed.Exit == 0, installed.Describe($"{helm} install (older chart)"));
            Assert.Contains("--lease-name=funds-cryptoindex-operator", await OperatorArgsAsync(cluster, Deployment));

            // The new default Lease (cryptoindex-operator) would let old and new pods lead side by side.
            var refused = await home.RunAsync(Tool.Path(helm), "upgrade", Release, Support.Chart.Folder, "--reuse-values");
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains("elects on the Lease \"funds-cryptoindex-operator\", this upgrade on \"cryptoindex-operator\"", refused.Err, StringComparison.Ordinal);
            Assert.Contains("--set leaderElection.leaseName=funds-cryptoindex-operator", refused.Err, StringComparison.Ordinal);
            Assert.Contains($"kubectl -n {Support.Chart.Namespace} scale deployment/{Deployment} --replicas=0", refused.Err, StringComparison.Ordinal);
            Assert.Contains("--lease-name=funds-cryptoindex-operator", await OperatorArgsAsync(cluster, Deployment)); // untouched

            // Keeping the Lease is accepted.
            var kept = await home.RunAsync(Tool.Path(helm), "upgrade", Release, Support.Chart.Folder, "--reuse-values", "--set", "leaderElection.leaseName=funds-cryptoindex-operator");
            Assert.True(kept.Exit == 0, kept.Describe($"{helm} upgrade keeping the Lease"));
            Assert.Contains("--lease-name=funds-cryptoindex-operator", await OperatorArgsAsync(cluster, Deployment));

            // So is moving it with the operator scaled to 0 (nothing runs that could lead meanwhile).
            // kubectl scale in the docs; LocalKube has no scale subresource, and a patch is the same change of spec.replicas.
            await cluster.Kubectl.OkAsync("patch", "deployment", Deployment, "-n", Support.Chart.Namespace, "--type", "merge", "-p", """{"spec":{"replicas":0}}""");
            string[] force = helm == "helm" ? ["--force-conflicts"] : []; // Helm 4 applies server-side: kubectl owns spec.replicas now
            var moved = await home.RunAsync(Tool.Path(helm), ["upgrade", Release, Support.Chart.Folder, "--reuse-values", "--set", "leaderElection.leaseName=cryptoindex-operator", .. force]);
            Assert.True(moved.Exit == 0, moved.Describe($"{helm} upgrade moving the Lease at 0 replicas"));
            Assert.Contains("--lease-name=cryptoindex-operator", await OperatorArgsAsync(cluster, Deployment));
            var deployment = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "deployment", Deployment, "-n", Support.Chart.Namespace, "-o", "json"))!;
            Assert.Equal(1, (int)deployment["spec"]!["replicas"]!); // the chart scales it up again
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(older)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("helm")]
    [InlineData("helm3")]
    public async Task An_upgrade_that_would_move_a_running_operators_Lease_to_another_namespace_is_refused(string helm)
    {
        await using var cluster = await ApplyCluster.StartAsync(Support.Chart.Namespace, "ops");
        using var home = new HelmHome(cluster);
        var installed = await home.RunAsync(Tool.Path(helm), "install", Support.Chart.Release, Support.Chart.Folder);
        Assert.True(installed.Exit == 0, installed.Describe($"{helm} install"));

        // The new pods would elect on ops/cryptoindex-operator while the old ones hold cryptoindex-system/cryptoindex-operator.
        var refused = await home.RunAsync(Tool.Path(helm), "upgrade", Support.Chart.Release, Support.Chart.Folder, "--set", "extraArgs={--lease-namespace=ops}");
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("elects on a Lease in the namespace \"cryptoindex-system\", this upgrade in \"ops\"", refused.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("--lease-namespace=ops", await OperatorArgsAsync(cluster, Support.Chart.Release)); // untouched

        // Installed there, an upgrade that keeps it is accepted (the Role is in ops, where the Lease is).
        var uninstalled = await home.RunAsync(Tool.Path(helm), "uninstall", Support.Chart.Release);
        Assert.True(uninstalled.Exit == 0, uninstalled.Describe($"{helm} uninstall"));
        var moved = await home.RunAsync(Tool.Path(helm), "install", Support.Chart.Release, Support.Chart.Folder, "--set", "extraArgs={--lease-namespace=ops}");
        Assert.True(moved.Exit == 0, moved.Describe($"{helm} install electing in ops"));
        var kept = await home.RunAsync(Tool.Path(helm), "upgrade", Support.Chart.Release, Support.Chart.Folder, "--reuse-values", "--set", "operator.logLevel=Debug");
        Assert.True(kept.Exit == 0, kept.Describe($"{helm} upgrade keeping the namespace"));
        await cluster.Kubectl.OkAsync("get", "role", "cryptoindex-operator-leader-election", "-n", "ops");
    }

    [Fact]
    public async Task Turning_leader_election_on_under_a_running_operator_is_refused()
    {
        await using var cluster = await ApplyCluster.StartAsync(Support.Chart.Namespace);
        using var home = new HelmHome(cluster);
        var installed = await home.RunAsync(Tool.Helm, "install", Support.Chart.Release, Support.Chart.Folder, "--set", "leaderElection.enabled=false");
        Assert.True(installed.Exit == 0, installed.Describe("helm install without leader election"));

        // The Deployment would go from Recreate to a rolling update: the old pod, which elects nothing, keeps trading.
        var refused = await home.RunAsync(Tool.Helm, "upgrade", Support.Chart.Release, Support.Chart.Folder, "--set", "leaderElection.enabled=true");

        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("the running operator (Deployment cryptoindex-system/cryptoindex-operator) does not elect a leader", refused.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_kept_CRD_goes_to_another_release_once_re_annotated_and_a_second_release_leaves_it_alone()
    {
        await using var cluster = await ApplyCluster.StartAsync(Support.Chart.Namespace);
        using var home = new HelmHome(cluster);
        async Task<ToolResult> HelmAsync(params string[] args) => await home.RunAsync(Tool.Helm, args);
        Assert.Equal(0, (await HelmAsync("install", Support.Chart.Release, Support.Chart.Folder)).Exit);
        await cluster.Kubectl.OkAsync("apply", "-f", RepositoryPaths.Combine("config", "samples", "equal-weight.yaml"), "-n", "default");
        Assert.Equal(0, (await HelmAsync("uninstall", Support.Chart.Release)).Exit);

        // The kept CRD still names the old release: another release name is refused ...
        var refused = await HelmAsync("install", "funds", Support.Chart.Folder);
        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("invalid ownership metadata", refused.Err, StringComparison.Ordinal);

        // ... until the CRD is handed over, with the commands of the chart README.
        await cluster.Kubectl.OkAsync("annotate", "crd", "indexfunds.cryptoindex.io", "--overwrite",
            "meta.helm.sh/release-name=funds", $"meta.helm.sh/release-namespace={Support.Chart.Namespace}");
        await cluster.Kubectl.OkAsync("label", "crd", "indexfunds.cryptoindex.io", "--overwrite", "app.kubernetes.io/managed-by=Helm");
        var adopted = await HelmAsync("install", "funds", Support.Chart.Folder);
        Assert.True(adopted.Exit == 0, adopted.Describe("helm install funds after re-annotating the CRD"));
        await cluster.Kubectl.OkAsync("get", "ifund", "equal-weight", "-n", "default");

        // A second release installs beside it only without the CRD (and on its own Lease in a shared namespace).
        var second = await HelmAsync("install", "team-b", Support.Chart.Folder, "--set", "watchNamespaces={default}", "--set", "leaderElection.leaseName=team-b");
        Assert.NotEqual(0, second.Exit);
        Assert.Contains("invalid ownership metadata", second.Err, StringComparison.Ordinal);
        var withoutCrd = await HelmAsync("install", "team-b", Support.Chart.Folder, "--set", "watchNamespaces={default}", "--set", "leaderElection.leaseName=team-b", "--set", "crds.install=false");
        Assert.True(withoutCrd.Exit == 0, withoutCrd.Describe("helm install of a second release with crds.install=false"));
    }
}
