using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.GitOps;

/// <summary>
/// The Argo CD Lua health check against the fixtures listed in health_test.yaml (Argo CD's own test format), and the
/// copies of the script that users install (argocd-cm patch, chart README) against the source.
/// </summary>
public sealed class ArgoHealthTests
{
    private static readonly string Folder = RepositoryPaths.Combine("deploy", "gitops", "argocd");

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        var tests = Manifests.ToJson(File.ReadAllText(Path.Combine(Folder, "health_test.yaml")))!["tests"]!.AsArray();
        foreach (var test in tests)
        {
            data.Add((string)test!["inputPath"]!, (string)test["healthStatus"]!["status"]!, (string)test["healthStatus"]!["message"]!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Assesses_each_fixture_as_expected(string inputPath, string status, string message)
    {
        var fund = Manifests.ToJson(await File.ReadAllTextAsync(Path.Combine(Folder, inputPath)))!;

        var (actualStatus, actualMessage) = await ArgoHealth.AssessAsync(fund);

        Assert.Equal((status, message), (actualStatus, actualMessage));
    }

    [Fact]
    public void The_fixtures_cover_healthy_progressing_degraded_and_suspended()
    {
        var statuses = Cases().Select(c => (string)c[1]).ToHashSet();

        Assert.Superset(new HashSet<string> { "Healthy", "Progressing", "Degraded", "Suspended" }, statuses);
        Assert.Equal(Directory.GetFiles(Path.Combine(Folder, "testdata")).Length, Cases().Count);
    }

    [Fact]
    public async Task The_argocd_cm_patch_carries_the_script_verbatim()
    {
        var patch = Manifests.ToJson(await File.ReadAllTextAsync(Path.Combine(Folder, "argocd-cm-health.yaml")))!;

        Assert.Equal(await File.ReadAllTextAsync(ArgoHealth.Script), (string?)patch["data"]!["resource.customizations.health.cryptoindex.io_IndexFund"]);
        StrictModels.ParseOrFail(await File.ReadAllTextAsync(Path.Combine(Folder, "argocd-cm-health.yaml")));
    }

    [Fact]
    public async Task The_chart_README_ships_the_script_verbatim()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Support.Chart.Folder, "README.md"));

        Assert.Contains("```lua\n" + await File.ReadAllTextAsync(ArgoHealth.Script) + "```", readme, StringComparison.Ordinal);
    }
}
