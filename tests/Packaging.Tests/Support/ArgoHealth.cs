using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>Runs deploy/gitops/argocd/indexfund-health.lua with the pinned Lua 5.1 (Argo CD's gopher-lua is 5.1).</summary>
public static class ArgoHealth
{
    public static string Script => RepositoryPaths.Combine("deploy", "gitops", "argocd", "indexfund-health.lua");

    public static async Task<(string Status, string Message)> AssessAsync(JsonNode fund)
    {
        var file = Path.Combine(Path.GetTempPath(), $"indexfund-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, fund.ToJsonString());
        try
        {
            var result = await Tool.RunAsync(Tool.Lua, [RepositoryPaths.Combine("tests", "Packaging.Tests", "GitOps", "run-health.lua"), Script, file]);
            Assert.True(result.Exit == 0, result.Describe("lua indexfund-health.lua"));
            var lines = result.Out.Split('\n');
            return (lines[0], lines[1]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
