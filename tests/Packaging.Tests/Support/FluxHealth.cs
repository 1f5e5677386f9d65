using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// The IndexFund health expressions of the funds Kustomization in deploy/gitops/flux/cluster.yaml, evaluated the way
/// kustomize-controller does (fluxcd/pkg runtime/cel StatusEvaluator): status.observedGeneration, when present and not
/// metadata.generation, is InProgress; then inProgress, failed and current in that order, the first true one wins;
/// none true is InProgress; an evaluation error makes the status Unknown (Flux keeps waiting, up to the timeout).
/// </summary>
public static class FluxHealth
{
    public static string ClusterFile => RepositoryPaths.Combine("deploy", "gitops", "flux", "cluster.yaml");

    public static JsonNode Expressions()
    {
        var funds = Manifests.Parse(File.ReadAllText(ClusterFile)).One("Kustomization", "index-funds");
        return funds["spec"]!["healthCheckExprs"]!.AsArray().Single(e => (string?)e!["kind"] == "IndexFund")!;
    }

    public static string Assess(JsonObject fund)
    {
        var generation = Integer(fund["metadata"]?["generation"]);
        var observed = Integer(fund["status"]?["observedGeneration"]);
        if (observed is not null && generation is not null && observed != generation)
        {
            return "InProgress";
        }

        var expressions = Expressions();
        foreach (var (field, status) in new[] { ("inProgress", "InProgress"), ("failed", "Failed"), ("current", "Current") })
        {
            if ((string?)expressions[field] is not { } expression)
            {
                continue;
            }

            switch (Cel.Evaluate(expression, fund))
            {
                case Cel.Error error:
                    return "Unknown: " + error.Message;
                case true:
                    return status;
                case false:
                    break;
                case var other:
                    return $"Unknown: {field} is not a bool ({other})";
            }
        }

        return "InProgress";
    }

    private static long? Integer(JsonNode? node) =>
        node is JsonValue value && long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
