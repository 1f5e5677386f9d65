using CryptoIndex.TestCluster;
using CryptoIndex.TestCluster.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// A TestCluster that serves what the chart and config/ create (workload and RBAC kinds, the IndexFund CRD, stand-ins
/// for the monitoring CRDs), with a kubectl bound to it, so manifests are applied the way a user applies them.
/// </summary>
public sealed class ApplyCluster : IAsyncDisposable
{
    private ApplyCluster(KubeTestCluster cluster, Kubectl kubectl)
    {
        Cluster = cluster;
        Kubectl = kubectl;
    }

    public KubeTestCluster Cluster { get; }

    public Kubectl Kubectl { get; }

    public static async Task<ApplyCluster> StartAsync(params string[] namespaces)
    {
        _ = Tool.Kubectl; // fails with the install hint when missing
        var cluster = await KubeTestCluster.StartAsync(new TestClusterOptions
        {
            AdditionalKinds = ResourceKind.CommonWorkloadKinds,
            Namespaces = ["default", "kube-system", .. namespaces],
        });
        await cluster.ApplyYamlAsync(await File.ReadAllTextAsync(RepositoryPaths.Combine("tests", "Packaging.Tests", "Fixtures", "monitoring-crds.yaml")));
        return new ApplyCluster(cluster, new Kubectl(cluster));
    }

    /// <summary><c>kubectl apply -f</c> of a YAML text (client-side apply, strict field validation); returns stdout.</summary>
    public Task<string> ApplyAsync(string yaml, string name = "manifests.yaml") =>
        Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile(name, yaml));

    public async ValueTask DisposeAsync()
    {
        Kubectl.Dispose();
        await Cluster.DisposeAsync();
    }
}
