using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>openAPIV3Schema processing of custom resources: pruning, defaulting, validation, fieldValidation.</summary>
public sealed class SchemaTests
{
    private static JsonObject Widget(string name, JsonObject spec) => new()
    {
        ["apiVersion"] = "test.example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec,
    };

    private static async Task<JsonObject> CreateWidget(IKubernetes client, JsonObject body, string? fieldValidation = null) =>
        Node(await client.CustomObjects.CreateClusterCustomObjectAsync(body, "test.example.com", "v1", "widgets", fieldValidation: fieldValidation));

    private static List<(string Field, string Reason, string Message)> Causes(JsonObject status) =>
        status["details"]!["causes"]!.AsArray().Select(c => (c!["field"]!.GetValue<string>(), c["reason"]!.GetValue<string>(), c["message"]!.GetValue<string>())).ToList();

    [Fact]
    public async Task Invalid_resource_is_422_with_one_cause_per_violation()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var body = Fund("broken");
        body["spec"] = new JsonObject { ["replicas"] = "three", ["rebalance"] = "hourly" };

        var (code, status) = await Fails(() => client.CreateFund(body));

        Assert.Equal(422, code);
        Assert.Equal("Invalid", status["reason"]!.GetValue<string>());
        Assert.Equal("IndexFund", status["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(
            [
                ("spec.index", "FieldValueRequired", "Required value"),
                ("spec.rebalance", "FieldValueNotSupported", "Unsupported value: \"hourly\": supported values: \"daily\", \"weekly\""),
                ("spec.replicas", "FieldValueTypeInvalid", "Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""),
            ],
            Causes(status));
        Assert.StartsWith("IndexFund.finance.example.com \"broken\" is invalid: [spec.index: Required value, ", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Minimum_is_enforced_on_update_too()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var (code, status) = await Fails(() => client.MergeFund("sp500", """{"spec":{"replicas":-5}}"""));

        Assert.Equal(422, code);
        Assert.Equal(("spec.replicas", "FieldValueInvalid", "Invalid value: -5: spec.replicas in body should be greater than or equal to 0"), Assert.Single(Causes(status)));
    }

    [Fact]
    public async Task Unknown_fields_are_pruned_with_a_warning_by_default()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var body = Fund("sp500");
        body["spec"]!["bogus"] = "x";
        body["extraTopLevel"] = 1;

        var (code, created, response) = await cluster.SendAsync(HttpMethod.Post, "/apis/finance.example.com/v1alpha1/namespaces/default/indexfunds", body.ToJsonString());

        Assert.Equal(201, code);
        Assert.Null(created["spec"]!["bogus"]);
        Assert.Null(created["extraTopLevel"]);
        var warnings = response.Headers.GetValues("Warning").ToList();
        Assert.Contains("299 - \"unknown field \\\"spec.bogus\\\"\"", warnings);
    }

    [Fact]
    public async Task Strict_field_validation_rejects_unknown_fields_with_400_and_Ignore_prunes_silently()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var body = Fund("sp500");
        body["spec"]!["bogus"] = "x";

        var (code, status) = await Fails(() => client.CustomObjects.CreateNamespacedCustomObjectAsync(body, Group, Ver, Ns, Plural, fieldValidation: "Strict"));
        Assert.Equal(400, code);
        Assert.Equal(
            "IndexFund in version \"v1alpha1\" cannot be handled as a IndexFund: strict decoding error: unknown field \"spec.bogus\"",
            status["message"]!.GetValue<string>());

        var (ignoredCode, created, response) = await cluster.SendAsync(HttpMethod.Post, "/apis/finance.example.com/v1alpha1/namespaces/default/indexfunds?fieldValidation=Ignore", body.ToJsonString());
        Assert.Equal(201, ignoredCode);
        Assert.Null(created["spec"]!["bogus"]);
        Assert.False(response.Headers.Contains("Warning"));
    }

    [Fact]
    public async Task Pattern_length_number_range_and_item_limits_are_validated()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var spec = JsonNode.Parse("""{"code":"abcd","weight":1.5,"tags":["a","b","c"]}""")!.AsObject();

        var (code, status) = await Fails(() => CreateWidget(client, Widget("w", spec)));

        Assert.Equal(422, code);
        var causes = Causes(status);
        Assert.Contains(causes, c => c.Field == "spec.code" && c.Message.Contains("should match '^[A-Z]{3}$'", StringComparison.Ordinal));
        Assert.Contains(causes, c => c.Field == "spec.code" && c.Reason == "FieldValueTooLong");
        Assert.Contains(causes, c => c.Field == "spec.weight" && c.Message.Contains("should be less than or equal to 1", StringComparison.Ordinal));
        Assert.Contains(causes, c => c.Field == "spec.tags" && c.Reason == "FieldValueTooMany");
    }

    [Fact]
    public async Task Int_or_string_accepts_both_and_rejects_others()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        await CreateWidget(client, Widget("a", JsonNode.Parse("""{"port":8080}""")!.AsObject()));
        await CreateWidget(client, Widget("b", JsonNode.Parse("""{"port":"http"}""")!.AsObject()));
        var (code, status) = await Fails(() => CreateWidget(client, Widget("c", JsonNode.Parse("""{"port":true}""")!.AsObject())));

        Assert.Equal(422, code);
        Assert.Equal("spec.port", Assert.Single(Causes(status)).Field);
    }

    /// <summary>
    /// An int-or-string's numeric bounds apply to integers and its pattern to strings, each to its own kind of value,
    /// as the apiserver's validators apply by the value's kind: a pattern alone lets any integer through (-5).
    /// </summary>
    [Fact]
    public async Task Int_or_string_bounds_apply_to_integers_and_its_pattern_to_strings()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var json = JsonNode.Parse(KubernetesJson.Serialize(Crd("widget-crd.yaml")))!;
        var port = json["spec"]!["versions"]![1]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["port"]!.AsObject();
        port["minimum"] = 1;
        port["maximum"] = 65535;
        port["pattern"] = "^[a-z0-9]+$";
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesJson.Deserialize<V1CustomResourceDefinition>(json.ToJsonString()));

        await CreateWidget(client, Widget("a", JsonNode.Parse("""{"port":8080}""")!.AsObject()));
        await CreateWidget(client, Widget("b", JsonNode.Parse("""{"port":"99999"}""")!.AsObject())); // a string: no bounds
        var negative = await Fails(() => CreateWidget(client, Widget("c", JsonNode.Parse("""{"port":-5}""")!.AsObject())));
        var large = await Fails(() => CreateWidget(client, Widget("d", JsonNode.Parse("""{"port":99999}""")!.AsObject())));
        var text = await Fails(() => CreateWidget(client, Widget("e", JsonNode.Parse("""{"port":"-5"}""")!.AsObject())));

        Assert.Equal((422, 422, 422), (negative.Code, large.Code, text.Code));
        Assert.Equal(("spec.port", "Invalid value: -5: spec.port in body should be greater than or equal to 1"), Only(negative.Status));
        Assert.Equal(("spec.port", "Invalid value: 99999: spec.port in body should be less than or equal to 65535"), Only(large.Status));
        Assert.Equal(("spec.port", "Invalid value: \"-5\": spec.port in body should match '^[a-z0-9]+$'"), Only(text.Status));

        static (string Field, string Message) Only(JsonObject status) => Assert.Single(Causes(status)) is var c ? (c.Field, c.Message) : default;
    }

    [Fact]
    public async Task Preserve_unknown_fields_keeps_data_and_additionalProperties_validates_values()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        var created = await CreateWidget(client, Widget("a", JsonNode.Parse("""{"extra":{"any":{"thing":[1,2]}},"labelsMap":{"k":"v"}}""")!.AsObject()));
        var (code, status) = await Fails(() => CreateWidget(client, Widget("b", JsonNode.Parse("""{"labelsMap":{"k":5}}""")!.AsObject())));

        Assert.Equal(2, created["spec"]!["extra"]!["any"]!["thing"]![1]!.GetValue<int>());
        Assert.Equal(422, code);
        Assert.Equal("spec.labelsMap.k", Assert.Single(Causes(status)).Field);
    }

    [Fact]
    public async Task List_map_items_are_defaulted_and_duplicate_keys_rejected()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        var created = await CreateWidget(client, Widget("a", JsonNode.Parse("""{"items":[{"name":"x"},{"name":"y","value":2}]}""")!.AsObject()));
        var (code, status) = await Fails(() => CreateWidget(client, Widget("b", JsonNode.Parse("""{"items":[{"name":"x"},{"name":"x"}]}""")!.AsObject())));

        Assert.Equal(7, created["spec"]!["items"]![0]!["value"]!.GetValue<int>());
        Assert.Equal(2, created["spec"]!["items"]![1]!["value"]!.GetValue<int>());
        Assert.Equal(422, code);
        Assert.Equal(("spec.items[1]", "FieldValueDuplicate"), Causes(status).Select(c => (c.Field, c.Reason)).Single());
    }

    [Fact]
    public async Task Null_for_a_non_nullable_field_is_pruned_then_defaulted_and_nullable_keeps_null()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        var fund = await client.CreateFund(JsonNode.Parse("""{"apiVersion":"finance.example.com/v1alpha1","kind":"IndexFund","metadata":{"name":"n"},"spec":{"index":"X","replicas":null}}""")!.AsObject());
        var widget = await CreateWidget(client, Widget("w", JsonNode.Parse("""{"mode":null}""")!.AsObject()));

        Assert.Equal(1, fund["spec"]!["replicas"]!.GetValue<int>());
        Assert.True(widget["spec"]!.AsObject().ContainsKey("mode"));
    }

    [Fact]
    public async Task Formats_date_time_and_friends_are_checked()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        await client.MergeFund("sp500", """{"status":{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-11-26T03:51:20.012245Z"}]}}""", status: true);
        var (code, status) = await Fails(() => client.MergeFund("sp500", """{"status":{"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"yesterday"}]}}""", status: true));

        Assert.Equal(422, code);
        Assert.Equal(("status.conditions[0].lastTransitionTime", "FieldValueTypeInvalid"), Causes(status).Select(c => (c.Field, c.Reason)).Single());
        Assert.Contains("must be of type date-time: \"yesterday\"", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deprecated_versions_answer_with_a_Warning_header()
    {
        var (cluster, _) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        var (_, _, deprecated) = await cluster.SendAsync(HttpMethod.Get, "/apis/test.example.com/v1beta1/widgets");
        var (_, _, current) = await cluster.SendAsync(HttpMethod.Get, "/apis/test.example.com/v1/widgets");

        Assert.Equal(["299 - \"test.example.com/v1beta1 Widget is deprecated; use test.example.com/v1\""], deprecated.Headers.GetValues("Warning"));
        Assert.False(current.Headers.Contains("Warning"));
    }

    [Fact]
    public async Task Crd_name_must_match_plural_and_group()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var crd = Crd();
        crd.Metadata.Name = "wrong.finance.example.com";

        var (code, status) = await Fails(() => client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));

        Assert.Equal(422, code);
        Assert.Contains("must be spec.names.plural+\".\"+spec.group", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crd_gets_conditions_accepted_names_and_stored_versions()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();

        var crd = await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd("widget-crd.yaml"));

        Assert.Equal(["NamesAccepted", "Established"], crd.Status.Conditions.Select(c => c.Type));
        Assert.All(crd.Status.Conditions, c => Assert.Equal("True", c.Status));
        Assert.Equal(["v1"], crd.Status.StoredVersions);
        Assert.Equal("WidgetList", crd.Status.AcceptedNames.ListKind);
        Assert.Equal(1, crd.Metadata.Generation);
    }

    [Fact]
    public async Task A_default_added_to_the_crd_does_not_move_generation_on_a_status_write()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));
        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("indexfunds.finance.example.com");
        crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["tier"] = new V1JSONSchemaProps { Type = "string", DefaultProperty = "core" };
        await client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(crd, crd.Metadata.Name);

        var status = await client.MergeFund("sp500", """{"status":{"observedGeneration":1}}""", status: true);

        Assert.Equal(1, Generation(status));
        Assert.Equal("core", status["spec"]!["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Crd_update_changes_served_schema_and_delete_removes_resources()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));
        var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("indexfunds.finance.example.com");
        crd.Spec.Names.ShortNames = ["ixf", "fund"];
        crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"].Properties["replicas"].Maximum = 3;

        var updated = await client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(crd, crd.Metadata.Name);
        Assert.Equal(2, updated.Metadata.Generation);
        var (code, _) = await Fails(() => client.MergeFund("sp500", """{"spec":{"replicas":4}}"""));
        Assert.Equal(422, code);

        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(crd.Metadata.Name);
        var (after, _, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/finance.example.com/v1alpha1/namespaces/default/indexfunds/sp500");
        Assert.Equal(404, after);
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd());
        var list = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural));
        Assert.Empty(list["items"]!.AsArray());
    }
}
