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

        var notes = await HelmAsync("install", Support.Chart.Release, Support.Chart.Folder);
        Assert.Contains("kubectl wait --for=condition=Ready ifund/equal-weight", notes, StringComparison.Ordinal);
        Assert.Contains("kubectl delete crd indexfunds.cryptoindex.io", notes, StringComparison.Ordinal);
        await cluster.Kubectl.OkAsync("get", "deployment", Support.Chart.Release, "-n", Support.Chart.Namespace);
        await cluster.Kubectl.OkAsync("apply", "-f", RepositoryPaths.Combine("config", "samples", "equal-weight.yaml"), "-n", "default");

        await HelmAsync("upgrade", Support.Chart.Release, Support.Chart.Folder, "--set", "operator.logLevel=Debug");
        var deployment = JsonNode.Parse(await cluster.Kubectl.OkAsync("get", "deployment", Support.Chart.Release, "-n", Support.Chart.Namespace, "-o", "json"))!;
        Assert.Contains(deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray(),
            e => (string?)e!["name"] == "Logging__LogLevel__Default" && (string?)e["value"] == "Debug");

        await HelmAsync("uninstall", Support.Chart.Release);
        var gone = await cluster.Kubectl.RunAsync("get", "deployment", Support.Chart.Release, "-n", Support.Chart.Namespace);
        Assert.Contains("NotFound", gone.Err, StringComparison.Ordinal);
        await cluster.Kubectl.OkAsync("get", "crd", "indexfunds.cryptoindex.io");
        await cluster.Kubectl.OkAsync("get", "ifund", "equal-weight", "-n", "default");
    }
}
