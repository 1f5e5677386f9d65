using System.Text.RegularExpressions;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Kustomize;

/// <summary>What docs/operations.md tells users of config/ without Helm, run as written there.</summary>
public sealed partial class KustomizeOperationsDocTests
{
    private const string ExchangeCredentials = "cryptoindex-operator-exchange-credentials";

    private static string Operations => File.ReadAllText(RepositoryPaths.Combine("docs", "operations.md"));

    [Fact]
    public async Task The_documented_overlay_of_your_own_pins_the_image_the_overlays_would_set_back()
    {
        var block = OverlayBlock().Match(Operations);
        Assert.True(block.Success, "docs/operations.md has no my-operator/kustomization.yaml block");
        var yaml = string.Join('\n', block.Groups[1].Value.Split('\n').Select(l => l.StartsWith("  ", StringComparison.Ordinal) ? l[2..] : l));

        // Laid out as the doc says: the overlay's folder beside a clone of this repository named cryptoindex.
        var root = Directory.CreateTempSubdirectory("my-operator-").FullName;
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(root, "cryptoindex"), RepositoryPaths.Root);
            var folder = Directory.CreateDirectory(Path.Combine(root, "my-operator")).FullName;
            await File.WriteAllTextAsync(Path.Combine(folder, "kustomization.yaml"), yaml);

            var m = Manifests.Parse(await Tool.OkAsync(Tool.Kubectl, "kustomize", folder));

            Assert.Equal("REGISTRY/cryptoindex-operator:TAG", (string?)m.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
            m.One("ClusterRoleBinding", ExchangeCredentials);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Applying_config_default_over_config_binance_keeps_the_Secret_reading_until_the_documented_delete()
    {
        await using var cluster = await ApplyCluster.StartAsync();
        await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "binance"));

        await cluster.Kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "default"));
        await cluster.Kubectl.OkAsync("get", "clusterrole", ExchangeCredentials);
        await cluster.Kubectl.OkAsync("get", "clusterrolebinding", ExchangeCredentials);

        var delete = DeleteCommand().Match(Operations);
        Assert.True(delete.Success, "docs/operations.md does not say how to revoke config/binance's Secret reading");
        await cluster.Kubectl.OkAsync(["delete", .. delete.Groups[1].Value.Split(' ')]);
        foreach (var kind in new[] { "clusterrole", "clusterrolebinding" })
        {
            Assert.Contains("NotFound", (await cluster.Kubectl.RunAsync("get", kind, ExchangeCredentials)).Err, StringComparison.Ordinal);
        }

        await cluster.Kubectl.OkAsync("get", "clusterrole", "cryptoindex-operator-manager");
    }

    [GeneratedRegex(@"```yaml\n  # my-operator/kustomization\.yaml[^\n]*\n(.*?)\n  ```", RegexOptions.Singleline)]
    private static partial Regex OverlayBlock();

    [GeneratedRegex(@"`kubectl delete (clusterrolebinding,clusterrole [a-z-]+)`")]
    private static partial Regex DeleteCommand();
}
