using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>What a real apiserver refuses in a CRD's schema for <c>x-kubernetes-list-type: map</c> lists.</summary>
public sealed class CrdSchemaRuleTests
{
    private const string ConditionsItems = "spec.versions[1].schema.openAPIV3Schema.properties[status].properties[conditions].items";

    /// <summary>The CRD with <paramref name="edit"/> applied to the v1 <c>status.conditions</c> schema (items is untyped in the model).</summary>
    private static V1CustomResourceDefinition WithConditions(V1CustomResourceDefinition crd, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(crd))!;
        edit(json["spec"]!["versions"]![1]!["schema"]!["openAPIV3Schema"]!["properties"]!["status"]!["properties"]!["conditions"]!.AsObject());
        return KubernetesJson.Deserialize<V1CustomResourceDefinition>(json.ToJsonString());
    }

    private static List<(string Field, string Message)> Causes(JsonObject status) =>
        status["details"]!["causes"]!.AsArray().Select(c => (c!["field"]!.GetValue<string>(), c["message"]!.GetValue<string>())).ToList();

    [Fact]
    public async Task A_map_list_key_neither_required_nor_defaulted_is_refused()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var crd = WithConditions(Crd("widget-crd.yaml"), c => c["items"]!.AsObject().Remove("required"));

        var (code, status) = await Fails(() => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));

        Assert.Equal(422, code);
        Assert.Equal(
            [(ConditionsItems + ".properties[type].default",
              "Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property")],
            Causes(status));
    }

    [Fact]
    public async Task A_defaulted_map_list_key_is_accepted()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var crd = WithConditions(Crd("widget-crd.yaml"), c =>
        {
            c["items"]!.AsObject().Remove("required");
            c["items"]!["properties"]!["type"]!["default"] = "Ready";
        });

        var created = await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);

        Assert.Equal(1, created.Metadata.Generation);
    }

    [Fact]
    public async Task Map_keys_must_be_scalar_item_properties_and_the_rule_holds_on_update_too()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var crd = WithConditions(await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd("widget-crd.yaml")), c =>
        {
            c["items"]!["properties"]!["type"]!["nullable"] = true;
            c["x-kubernetes-list-map-keys"] = new JsonArray("type", "missing");
        });

        var (code, status) = await Fails(() => client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(crd, crd.Metadata.Name));

        Assert.Equal(422, code);
        var conditions = "spec.versions[1].schema.openAPIV3Schema.properties[status].properties[conditions]";
        Assert.Equal(
            [(ConditionsItems + ".properties[type].nullable", "Forbidden: this property is in x-kubernetes-list-map-keys, so it cannot be nullable"),
             (conditions + ".x-kubernetes-list-map-keys", "Invalid value: []string{\"type\", \"missing\"}: entries must all be names of item properties")],
            Causes(status));
    }

    [Fact]
    public async Task Every_field_and_item_needs_a_type_as_in_a_structural_schema()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var crd = WithConditions(Crd("widget-crd.yaml"), c =>
        {
            c["items"]!["properties"]!["status"]!.AsObject().Remove("type");
            c["items"]!["properties"]!["reason"] = new JsonObject { ["description"] = "no type" };
            c["items"]!["properties"]!["extra"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject() };
            c["items"]!["additionalProperties"] = false;
        });

        var (code, status) = await Fails(() => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));

        Assert.Equal(422, code);
        Assert.Equal(
            [(ConditionsItems + ".properties[status].type", "Required value: must not be empty for specified object fields"),
             (ConditionsItems + ".properties[reason].type", "Required value: must not be empty for specified object fields"),
             (ConditionsItems + ".properties[extra].items.type", "Required value: must not be empty for specified array items"),
             (ConditionsItems + ".additionalProperties", "Forbidden: additionalProperties and properties are mutual exclusive")],
            Causes(status));
    }
}
