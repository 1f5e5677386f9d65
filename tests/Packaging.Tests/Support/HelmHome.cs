namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// A private Helm home (cache, config, data) in a temporary folder, and the environment that points helm, kubectl and
/// the repository's scripts at a test cluster; deleted on dispose.
/// </summary>
public sealed class HelmHome : IDisposable
{
    private readonly string home = Directory.CreateTempSubdirectory("helm-home-").FullName;

    public HelmHome(ApplyCluster cluster) => Environment = new Dictionary<string, string>
    {
        ["HOME"] = home, ["HELM_CACHE_HOME"] = System.IO.Path.Combine(home, "cache"), ["HELM_CONFIG_HOME"] = System.IO.Path.Combine(home, "config"),
        ["HELM_DATA_HOME"] = System.IO.Path.Combine(home, "data"), ["KUBECONFIG"] = cluster.Kubectl.KubeconfigPath, ["KUBECTL"] = Tool.Kubectl,
    };

    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Runs <paramref name="helm"/> (a path from <see cref="Tool"/>) in the chart's namespace.</summary>
    public Task<ToolResult> RunAsync(string helm, params string[] args) =>
        Tool.RunAsync(helm, [.. args, "--namespace", Chart.Namespace], environment: Environment);

    public void Dispose() => Directory.Delete(home, recursive: true);
}
