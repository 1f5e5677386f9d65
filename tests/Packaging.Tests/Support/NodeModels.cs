using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// Validates objects against the JSON schemas of the npm kubernetes-models packages (generated from the upstream
/// OpenAPI and CRDs of Kubernetes, prometheus-operator, Argo CD and Flux), installed by scripts/install-tools.sh into
/// .tools/models. They catch wrong types, missing required fields and enum violations (not unknown fields).
/// </summary>
public static class NodeModels
{
    public static async Task ValidateOrFailAsync(IEnumerable<JsonObject> objects)
    {
        var list = new JsonArray([.. objects.Select(o => o.DeepClone())]);
        if (list.Count == 0)
        {
            return;
        }

        var models = RepositoryPaths.Combine(".tools", "models");
        Assert.True(Directory.Exists(Path.Combine(models, "node_modules", "kubernetes-models")),
            $"kubernetes-models is not installed in {models}: run scripts/install-tools.sh (test.sh does it).");
        var script = RepositoryPaths.Combine("tests", "Packaging.Tests", "Support", "validate-models.mjs");
        var result = await Tool.RunAsync("node", [script, models], stdin: list.ToJsonString());
        Assert.True(result.Exit == 0, result.Describe("node validate-models.mjs"));
        var problems = JsonSerializer.Deserialize<List<string>>(result.Out)!;
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }
}
