using System.Globalization;
using CryptoIndex.LocalKube;
using k8s;
using k8s.Models;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

/// <summary>A small test custom resource (group test.cryptoindex.io, kind Widget, status subresource).</summary>
internal static class Widgets
{
    public const string Group = "test.cryptoindex.io";
    public const string Version = "v1";
    public const string Plural = "widgets";

    public static readonly ResourceType Type = new(Group, Version, Plural) { Namespace = "default" };

    public const string CrdYaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.test.cryptoindex.io
        spec:
          group: test.cryptoindex.io
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget}
          versions:
          - name: v1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
                  status:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
        """;

    public static async Task<LocalKubeCluster> StartClusterAsync(TimeProvider? clusterTime = null)
    {
        var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions { TimeProvider = clusterTime ?? TimeProvider.System });
        await cluster.ApplyYamlAsync(CrdYaml);
        cluster.Requests.Clear();
        return cluster;
    }

    public static string Yaml(string name, int size, string ns = "default") =>
        $"""
        apiVersion: test.cryptoindex.io/v1
        kind: Widget
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}
        spec: {"{"}size: {size.ToString(CultureInfo.InvariantCulture)}{"}"}
        """;

    public static Task CreateAsync(IKubernetes client, string name, int size) =>
        client.CustomObjects.CreateNamespacedCustomObjectAsync(
            new Dictionary<string, object>
            {
                ["apiVersion"] = Group + "/" + Version,
                ["kind"] = "Widget",
                ["metadata"] = new Dictionary<string, object> { ["name"] = name },
                ["spec"] = new Dictionary<string, object> { ["size"] = size },
            },
            Group, Version, "default", Plural);

    public static Task SetSizeAsync(IKubernetes client, string name, int size) =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"spec\":{\"size\":" + size.ToString(CultureInfo.InvariantCulture) + "}}", V1Patch.PatchType.MergePatch),
            Group, Version, "default", Plural, name);

    public static Task AnnotateAsync(IKubernetes client, string name, string key, string value) =>
        client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("{\"metadata\":{\"annotations\":{\"" + key + "\":\"" + value + "\"}}}", V1Patch.PatchType.MergePatch),
            Group, Version, "default", Plural, name);

    public static Task DeleteAsync(IKubernetes client, string name) =>
        client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Version, "default", Plural, name);

    public static int Size(KubeObject obj) => obj.Json.GetProperty("spec").GetProperty("size").GetInt32();
}
