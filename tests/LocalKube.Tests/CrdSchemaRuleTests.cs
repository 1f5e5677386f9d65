using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>
/// What a real apiserver refuses in a CRD's schema: <c>x-kubernetes-list-type: map</c> lists, and what a structural
/// schema forbids.
/// </summary>
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

    /// <summary>The CRD with <paramref name="edit"/> applied to the v1 <c>spec.port</c> schema (int-or-string).</summary>
    private static V1CustomResourceDefinition WithPort(Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(KubernetesJson.Serialize(Crd("widget-crd.yaml")))!;
        edit(json["spec"]!["versions"]![1]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["port"]!.AsObject());
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

    /// <summary>
    /// Under anyOf, allOf, oneOf and not a structural schema holds value validations only, never a type; the one
    /// exception is int-or-string's own <c>anyOf: [{type: integer}, {type: string}]</c>, exactly so. Bounds on one of
    /// its branches (<c>{type: integer, minimum: 0}</c>) make it an ordinary branch with a type, which a real apiserver
    /// refuses; the bounds belong beside the pattern, where each applies to its own kind of value.
    /// </summary>
    [Fact]
    public async Task A_type_under_anyOf_is_refused_except_int_or_strings_own_pair()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var bounded = WithPort(p => p["anyOf"] = new JsonArray(
            new JsonObject { ["type"] = "integer", ["minimum"] = 0 },
            new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z]+$" }));
        var negated = WithPort(p => p["not"] = new JsonObject { ["type"] = "string", ["pattern"] = "^x$" });

        var (code, status) = await Fails(() => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(bounded));
        var (notCode, notStatus) = await Fails(() => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(negated));

        var port = "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[port]";
        Assert.Equal(422, code);
        Assert.Equal(
            [(port + ".anyOf[0].type", "Forbidden: must be empty to be structural"),
             (port + ".anyOf[1].type", "Forbidden: must be empty to be structural")],
            Causes(status));
        Assert.Equal(422, notCode);
        Assert.Equal([(port + ".not.type", "Forbidden: must be empty to be structural")], Causes(notStatus));

        var pair = WithPort(p =>
        {
            p["anyOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" });
            p["minimum"] = 0;
            p["pattern"] = "^[a-z]+$";
        });
        var created = await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(pair);
        Assert.Equal(1, created.Metadata.Generation);
    }
}
