using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// Every value set renders identically with Helm 4 and Helm 3, parses strictly with the Kubernetes models, passes
/// the node model schemas, and is accepted by <c>kubectl apply</c> against LocalKube.
/// </summary>
public sealed class ChartRenderTests
{
    [Theory]
    [MemberData(nameof(Support.Chart.ValueSetData), MemberType = typeof(Support.Chart))]
    public async Task Renders_valid_manifests_that_kubectl_applies(string valueSet)
    {
        var helm4 = await Support.Chart.TryTemplateAsync(valueSet, []);
        var helm3 = await Support.Chart.TryTemplateAsync(valueSet, [], Tool.Helm3);
        Assert.True(helm4.Exit == 0, helm4.Describe("helm template"));
        Assert.True(helm3.Exit == 0, helm3.Describe("helm3 template"));
        var rendered = Manifests.Parse(helm4.Out);
        Assert.Equal(rendered.Objects.Select(o => o.ToJsonString()), Manifests.Parse(helm3.Out).Objects.Select(o => o.ToJsonString()));

        var withoutModel = StrictModels.ParseOrFail(helm4.Out);
        await NodeModels.ValidateOrFailAsync(rendered.Objects);
        Assert.All(withoutModel, o => Assert.Equal("monitoring.coreos.com/v1", (string?)o["apiVersion"]));

        var namespaces = rendered.Objects.Select(o => (string?)o["metadata"]!["namespace"]).OfType<string>().Distinct().ToArray();
        await using var cluster = await ApplyCluster.StartAsync(namespaces);
        var applied = await cluster.ApplyAsync(helm4.Out);
        Assert.Equal(rendered.Objects.Count, applied.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.EndsWith(" created", StringComparison.Ordinal)));
        // A second apply (an upgrade with the same values) creates nothing new: every object kept its identity.
        // (LocalKube approximates strategic merge for built-ins, so a PodDisruptionBudget may report "configured".)
        var again = await cluster.ApplyAsync(helm4.Out);
        Assert.DoesNotContain(" created", again, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chart_CRD_is_the_generated_CRD_and_is_kept_on_uninstall()
    {
        var source = Manifests.ToJson(await File.ReadAllTextAsync(CryptoIndex.LocalKube.Testing.RepositoryPaths.Combine("config", "crds", "cryptoindex.io_indexfunds.yaml")))!;

        var crd = (await Support.Chart.TemplateAsync()).One("CustomResourceDefinition");

        Assert.True(JsonNode.DeepEquals(source["spec"], crd["spec"]), "the chart's CRD spec differs from config/crds");
        Assert.Equal("indexfunds.cryptoindex.io", Manifests.Name(crd));
        Assert.Equal("keep", (string?)crd["metadata"]!["annotations"]!["helm.sh/resource-policy"]);
        var notKept = (await Support.Chart.TemplateAsync(string.Empty, "crds.keep=false")).One("CustomResourceDefinition");
        Assert.Null(notKept["metadata"]!["annotations"]?["helm.sh/resource-policy"]);
        Assert.Empty((await Support.Chart.TemplateAsync(string.Empty, "crds.install=false")).OfKind("CustomResourceDefinition"));
    }

    [Fact]
    public async Task A_kept_CRD_is_neither_pruned_nor_deleted_by_Argo_CD()
    {
        // Argo CD ignores helm.sh/resource-policy (argoproj/argo-cd#17819): removing the CRD from the rendering or
        // deleting the Application would delete the CRD, and with it every IndexFund.
        static string? SyncOptions(Manifests m) => (string?)m.One("CustomResourceDefinition")["metadata"]!["annotations"]?["argocd.argoproj.io/sync-options"];

        Assert.Equal("Prune=false,Delete=false", SyncOptions(await Support.Chart.TemplateAsync()));
        Assert.Null(SyncOptions(await Support.Chart.TemplateAsync(string.Empty, "crds.keep=false")));
        Assert.Equal("Prune=false", SyncOptions(await Support.Chart.TemplateAsync(string.Empty, @"crds.annotations.argocd\.argoproj\.io/sync-options=Prune=false"))); // yours wins
    }

    [Fact]
    public async Task The_chart_copy_of_the_CRD_and_the_generated_files_are_up_to_date()
    {
        var result = await Tool.RunAsync("bash", [CryptoIndex.LocalKube.Testing.RepositoryPaths.Combine("scripts", "sync-packaging.sh"), "--check"]);

        Assert.True(result.Exit == 0, result.Describe("scripts/sync-packaging.sh --check"));
    }

    [Fact]
    public async Task A_grace_period_shorter_than_the_shutdown_timeout_is_refused()
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, ["operator.gracefulShutdownTimeout=60s"]);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("terminationGracePeriodSeconds (40) must be at least operator.gracefulShutdownTimeout + 10s (70s)", result.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_than_one_replica_without_leader_election_is_refused()
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, ["replicaCount=2", "leaderElection.enabled=false"]);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("replicaCount > 1 needs leaderElection.enabled", result.Err, StringComparison.Ordinal);
    }

    /// <summary>
    /// A budget that keeps every replica (minAvailable, a percentage rounded up as Kubernetes does, at least the
    /// replicas) allows no eviction at all: a node drain, and so a cluster upgrade, would wait on the operator forever.
    /// </summary>
    [Theory]
    [InlineData("helm", 1, "1", false)]
    [InlineData("helm3", 1, "1", false)]
    [InlineData("helm", 2, "2", false)]
    [InlineData("helm", 1, "50%", false)]
    [InlineData("helm3", 1, "50%", false)]
    [InlineData("helm", 1, "0", true)]
    [InlineData("helm", 2, "1", true)]
    [InlineData("helm3", 3, "50%", true)]
    public async Task A_disruption_budget_that_would_block_every_drain_is_refused(string helm, int replicas, string minAvailable, bool renders)
    {
        var result = await Support.Chart.TryTemplateAsync(
            string.Empty,
            [$"replicaCount={replicas}", "podDisruptionBudget.enabled=true", $"podDisruptionBudget.minAvailable={minAvailable}"],
            helm == "helm3" ? Tool.Helm3 : Tool.Helm);

        if (renders)
        {
            Assert.True(result.Exit == 0, result.Describe("helm template"));
            Assert.Equal(minAvailable, Manifests.Parse(result.Out).One("PodDisruptionBudget")["spec"]!["minAvailable"]!.ToString());
        }
        else
        {
            Assert.NotEqual(0, result.Exit);
            Assert.Contains($"podDisruptionBudget.minAvailable {minAvailable} keeps all {replicas} replica", result.Err, StringComparison.Ordinal);
        }
    }
}
