using System.Text.Json.Nodes;
using k8s;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// Parses every document with the KubernetesClient models in strict mode, as a kubeconform substitute: an unknown
/// field, a misspelt one or a wrong type fails. Kinds without a C# model (ServiceMonitor, PrometheusRule, Argo CD
/// and Flux objects, IndexFund) are returned for the other checks (node models, LocalKube's CRD schema).
/// </summary>
public static class StrictModels
{
    public static IReadOnlyList<JsonObject> ParseOrFail(string yaml)
    {
        var withoutModel = new List<JsonObject>();
        foreach (var document in Manifests.Documents(yaml))
        {
            var json = Manifests.ToJson(document)!.AsObject();
            var apiVersion = (string)json["apiVersion"]!;
            if (!HasModel(apiVersion))
            {
                withoutModel.Add(json);
                continue;
            }

            try
            {
                var objects = KubernetesYaml.LoadAllFromString(document, strict: true);
                Assert.Single(objects);
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException)
            {
                Assert.Fail($"{json["kind"]} {json["metadata"]?["name"]}: {e.Message} {e.InnerException?.Message}\n{document}");
            }
        }

        return withoutModel;
    }

    /// <summary>Built-in API groups the C# client has models for.</summary>
    private static bool HasModel(string apiVersion) =>
        !apiVersion.Contains('/', StringComparison.Ordinal) ||
        apiVersion.Split('/')[0] is "apps" or "rbac.authorization.k8s.io" or "policy" or "apiextensions.k8s.io" or "coordination.k8s.io" or "batch"
            or "networking.k8s.io" or "autoscaling";
}
