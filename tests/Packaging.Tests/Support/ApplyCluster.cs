using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// A LocalKube that serves what the chart and config/ create (workload and RBAC kinds, the chart's NetworkPolicy, the
/// IndexFund CRD, stand-ins for the monitoring CRDs), with a kubectl bound to it, so manifests are applied the way a
/// user applies them.
/// </summary>
public sealed class ApplyCluster : IAsyncDisposable
{
    private ApplyCluster(LocalKubeCluster cluster, Kubectl kubectl)
    {
        Cluster = cluster;
        Kubectl = kubectl;
    }

    public LocalKubeCluster Cluster { get; }

    public Kubectl Kubectl { get; }

    public static async Task<ApplyCluster> StartAsync(params string[] namespaces)
    {
        _ = Tool.Kubectl; // fails with the install hint when missing
        var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions
        {
            AdditionalKinds = [.. ResourceKind.CommonWorkloadKinds, new("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, false, "netpol")],
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
