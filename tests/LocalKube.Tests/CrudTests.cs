using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Custom resource CRUD through the real KubernetesClient: metadata, errors, status split, generation.</summary>
public sealed class CrudTests
{
    [Fact]
    public async Task Create_fills_system_metadata_applies_defaults_and_drops_status()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var body = Fund("sp500");
        body["status"] = new JsonObject { ["observedGeneration"] = 9 };

        var created = await client.CreateFund(body);

        var meta = created["metadata"]!;
        Assert.True(Guid.TryParse(meta["uid"]!.GetValue<string>(), out _));
        Assert.Equal(1, Generation(created));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", meta["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("default", meta["namespace"]!.GetValue<string>());
        Assert.Equal(1, created["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("weekly", created["spec"]!["rebalance"]!.GetValue<string>());
        Assert.Null(created["status"]);
        Assert.Equal("finance.example.com/v1alpha1", created["apiVersion"]!.GetValue<string>());
        Assert.NotNull(meta["managedFields"]);
    }

    [Fact]
    public async Task ResourceVersion_is_one_global_increasing_counter()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var a = await client.CreateFund(Fund("a"));
        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" } }, Ns);
        var b = await client.CreateFund(Fund("b"));

        var ra = long.Parse(Rv(a), System.Globalization.CultureInfo.InvariantCulture);
        var rc = long.Parse(cm.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture);
        var rb = long.Parse(Rv(b), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(ra < rc && rc < rb, $"{ra} {rc} {rb}");
        Assert.Equal(rb, cluster.ResourceVersion);
    }

    [Fact]
    public async Task Create_existing_is_409_AlreadyExists_and_get_missing_is_404()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var (code, status) = await Fails(() => client.CreateFund(Fund("sp500")));
        Assert.Equal(409, code);
        Assert.Equal("AlreadyExists", status["reason"]!.GetValue<string>());
        Assert.Equal("indexfunds.finance.example.com \"sp500\" already exists", status["message"]!.GetValue<string>());
        Assert.Equal("indexfunds", status["details"]!["kind"]!.GetValue<string>());

        (code, status) = await Fails(() => client.GetFund("nope"));
        Assert.Equal(404, code);
        Assert.Equal("NotFound", status["reason"]!.GetValue<string>());
        Assert.Equal("indexfunds.finance.example.com \"nope\" not found", status["message"]!.GetValue<string>());
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replace_with_stale_resourceVersion_is_409_Conflict_and_without_one_is_422()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var created = await client.CreateFund(Fund("sp500"));
        var stale = created.DeepClone().AsObject();
        await client.MergeFund("sp500", """{"spec":{"replicas":2}}""");

        stale["spec"]!["replicas"] = 5;
        var (code, status) = await Fails(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(stale, Group, Ver, Ns, Plural, "sp500"));
        Assert.Equal(409, code);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
        Assert.Contains("the object has been modified", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        stale["metadata"]!.AsObject().Remove("resourceVersion");
        (code, status) = await Fails(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(stale, Group, Ver, Ns, Plural, "sp500"));
        Assert.Equal(422, code);
        Assert.Contains("metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_with_current_resourceVersion_succeeds_and_bumps_generation_on_spec_change()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var created = await client.CreateFund(Fund("sp500"));
        created["spec"]!["replicas"] = 4;

        var replaced = Node(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(created, Group, Ver, Ns, Plural, "sp500"));

        Assert.Equal(4, replaced["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, Generation(replaced));
        Assert.NotEqual(Rv(created), Rv(replaced));
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), replaced["metadata"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Generation_moves_only_on_spec_changes()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var labelled = await client.MergeFund("sp500", """{"metadata":{"labels":{"a":"b"},"annotations":{"x":"y"},"finalizers":["f/x"]}}""");
        Assert.Equal(1, Generation(labelled));
        var status = await client.MergeFund("sp500", """{"status":{"observedGeneration":1}}""", status: true);
        Assert.Equal(1, Generation(status));
        var spec = await client.MergeFund("sp500", """{"spec":{"replicas":3}}""");
        Assert.Equal(2, Generation(spec));
    }

    [Fact]
    public async Task Main_endpoint_ignores_status_and_status_endpoint_ignores_everything_else()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var main = await client.MergeFund("sp500", """{"spec":{"replicas":2},"status":{"observedGeneration":5}}""");
        Assert.Null(main["status"]);
        Assert.Equal(2, main["spec"]!["replicas"]!.GetValue<int>());

        var viaStatus = await client.MergeFund("sp500", """{"metadata":{"labels":{"x":"y"}},"spec":{"replicas":9},"status":{"observedGeneration":2}}""", status: true);
        Assert.Equal(2, viaStatus["status"]!["observedGeneration"]!.GetValue<int>());
        Assert.Equal(2, viaStatus["spec"]!["replicas"]!.GetValue<int>());
        Assert.Null(viaStatus["metadata"]!["labels"]);

        var put = viaStatus.DeepClone().AsObject();
        put.Remove("status");
        var cleared = Node(await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(put, Group, Ver, Ns, Plural, "sp500"));
        Assert.Null(cleared["status"]);
    }

    [Fact]
    public async Task Noop_update_keeps_resourceVersion()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var created = await client.CreateFund(Fund("sp500", replicas: 1));

        var same = await client.MergeFund("sp500", """{"spec":{"replicas":1}}""");
        var replaced = Node(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(created, Group, Ver, Ns, Plural, "sp500"));

        Assert.Equal(Rv(created), Rv(same));
        Assert.Equal(Rv(created), Rv(replaced));
        Assert.Equal(Rv(created), cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Json_patch_applies_and_failed_test_operation_is_422()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var patched = Node(await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""[{"op":"replace","path":"/spec/replicas","value":7},{"op":"add","path":"/metadata/labels","value":{"a":"b"}}]""", V1Patch.PatchType.JsonPatch),
            Group, Ver, Ns, Plural, "sp500"));
        Assert.Equal(7, patched["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("b", patched["metadata"]!["labels"]!["a"]!.GetValue<string>());

        var (code, _) = await Fails(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""[{"op":"test","path":"/spec/replicas","value":1}]""", V1Patch.PatchType.JsonPatch), Group, Ver, Ns, Plural, "sp500"));
        Assert.Equal(422, code);
    }

    [Fact]
    public async Task Merge_patch_with_stale_resourceVersion_conflicts_and_null_deletes()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var created = await client.CreateFund(Fund("sp500", labels: new() { ["a"] = "1", ["b"] = "2" }));
        await client.MergeFund("sp500", """{"spec":{"replicas":2}}""");

        var (code, _) = await Fails(() => client.MergeFund("sp500", "{\"metadata\":{\"resourceVersion\":\"" + Rv(created) + "\"},\"spec\":{\"replicas\":3}}"));
        Assert.Equal(409, code);

        var patched = await client.MergeFund("sp500", """{"metadata":{"labels":{"a":null}}}""");
        Assert.Null(patched["metadata"]!["labels"]!["a"]);
        Assert.Equal("2", patched["metadata"]!["labels"]!["b"]!.GetValue<string>());
    }

    [Fact]
    public async Task Strategic_merge_patch_on_custom_resource_is_415()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var (code, status) = await Fails(() => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec":{"replicas":2}}""", V1Patch.PatchType.StrategicMergePatch), Group, Ver, Ns, Plural, "sp500"));

        Assert.Equal(415, code);
        Assert.Equal("UnsupportedMediaType", status["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_side_apply_creates_owns_fields_removes_dropped_ones_and_detects_conflicts()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        Task<object> Apply(string body, string manager, bool? force = null) => client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(body, V1Patch.PatchType.ApplyPatch), Group, Ver, Ns, Plural, "ssa", fieldManager: manager, force: force);

        var created = Node(await Apply("""{"apiVersion":"finance.example.com/v1alpha1","kind":"IndexFund","metadata":{"name":"ssa","labels":{"a":"1"}},"spec":{"index":"DAX","replicas":2}}""", "op"));
        Assert.Equal(2, created["spec"]!["replicas"]!.GetValue<int>());
        var entry = created["metadata"]!["managedFields"]!.AsArray().Single()!;
        Assert.Equal("op", entry["manager"]!.GetValue<string>());
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.NotNull(entry["fieldsV1"]!["f:spec"]!["f:replicas"]);

        // Dropping a field from the applied configuration removes it (replicas then defaults back to 1).
        var reapplied = Node(await Apply("""{"apiVersion":"finance.example.com/v1alpha1","kind":"IndexFund","metadata":{"name":"ssa"},"spec":{"index":"DAX"}}""", "op"));
        Assert.Equal(1, reapplied["spec"]!["replicas"]!.GetValue<int>());
        Assert.Null(reapplied["metadata"]!["labels"]);

        var (code, status) = await Fails(() => Apply("""{"apiVersion":"finance.example.com/v1alpha1","kind":"IndexFund","metadata":{"name":"ssa"},"spec":{"index":"FTSE"}}""", "other"));
        Assert.Equal(409, code);
        Assert.Contains("conflict with \"op\"", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var forced = Node(await Apply("""{"apiVersion":"finance.example.com/v1alpha1","kind":"IndexFund","metadata":{"name":"ssa"},"spec":{"index":"FTSE"}}""", "other", force: true));
        Assert.Equal("FTSE", forced["spec"]!["index"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_side_apply_on_status_subresource_touches_only_status()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var applied = Node(await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"apiVersion":"finance.example.com/v1alpha1","kind":"IndexFund","metadata":{"name":"sp500"},"spec":{"index":"X"},"status":{"observedGeneration":4}}""", V1Patch.PatchType.ApplyPatch),
            Group, Ver, Ns, Plural, "sp500", fieldManager: "operator", force: true));

        Assert.Equal(4, applied["status"]!["observedGeneration"]!.GetValue<int>());
        Assert.Equal("SP500", applied["spec"]!["index"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_side_apply_owns_list_map_items_and_set_values_separately()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CustomObjects.CreateClusterCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion":"test.example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{}}""")!, "test.example.com", "v1", "widgets");
        Task<object> ApplyStatus(string conditions, string manager, bool force = false) =>
            client.CustomObjects.PatchClusterCustomObjectStatusAsync(
                new V1Patch("{\"apiVersion\":\"test.example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},\"status\":{\"conditions\":" + conditions + "}}", V1Patch.PatchType.ApplyPatch),
                "test.example.com", "v1", "widgets", "w", fieldManager: manager, force: force);
        Task<object> ApplyAliases(string aliases, string manager) =>
            client.CustomObjects.PatchClusterCustomObjectAsync(
                new V1Patch("{\"apiVersion\":\"test.example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\"},\"spec\":{\"aliases\":" + aliases + "}}", V1Patch.PatchType.ApplyPatch),
                "test.example.com", "v1", "widgets", "w", fieldManager: manager);
        static string Types(object o) => string.Join(",", Node(o)["status"]?["conditions"]?.AsArray().Select(c => c!["type"]!.GetValue<string>() + "=" + c["status"]!.GetValue<string>()) ?? []);

        await ApplyStatus("""[{"type":"Ready","status":"True"}]""", "reconciler");
        var both = await ApplyStatus("""[{"type":"Synced","status":"False"}]""", "syncer");
        Assert.Equal("Ready=True,Synced=False", Types(both));
        var managed = Node(both)["metadata"]!["managedFields"]!.AsArray();
        Assert.Contains(managed, m => m!["manager"]!.GetValue<string>() == "syncer"
            && m["fieldsV1"]!["f:status"]!["f:conditions"]!["k:{\"type\":\"Synced\"}"]!["f:status"] is not null);

        var (code, status) = await Fails(() => ApplyStatus("""[{"type":"Synced","status":"True"}]""", "reconciler"));
        Assert.Equal(409, code);
        Assert.Contains("conflict with \"syncer\": .status.conditions[{\"type\":\"Synced\"}].status", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        var dropped = await ApplyStatus("[]", "reconciler");
        Assert.Equal("Synced=False", Types(dropped));

        await ApplyAliases("""["a","b"]""", "one");
        Assert.Equal(["a", "b", "c"], Node(await ApplyAliases("""["c"]""", "two"))["spec"]!["aliases"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["a", "c"], Node(await ApplyAliases("""["a"]""", "one"))["spec"]!["aliases"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task List_returns_items_with_list_resourceVersion_and_label_selector()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a", labels: new() { ["tier"] = "core" }));
        await client.CreateFund(Fund("b", labels: new() { ["tier"] = "edge" }));
        await client.CreateFund(Fund("c"));

        var all = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural));
        var core = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, labelSelector: "tier in (core)"));
        var notCore = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, labelSelector: "tier,tier!=core"));
        var noTier = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, labelSelector: "!tier"));

        Assert.Equal("IndexFundList", all["kind"]!.GetValue<string>());
        Assert.Equal(["a", "b", "c"], all["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal(cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), all["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("a", Assert.Single(core["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("b", Assert.Single(notCore["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("c", Assert.Single(noTier["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task List_pages_with_limit_and_continue_and_rejects_garbage_tokens()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        foreach (var n in new[] { "a", "b", "c", "d", "e" })
        {
            await client.CreateFund(Fund(n));
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, continueParameter: token, limit: 2));
            names.AddRange(page["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
            token = page["metadata"]!["continue"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["a", "b", "c", "d", "e"], names);
        var (code, _) = await Fails(() => client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, continueParameter: "garbage!", limit: 2));
        Assert.Equal(400, code);
    }

    [Fact]
    public async Task Cluster_scoped_resources_and_other_versions_share_storage()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var body = new JsonObject
        {
            ["apiVersion"] = "test.example.com/v1",
            ["kind"] = "Widget",
            ["metadata"] = new JsonObject { ["name"] = "w" },
            ["spec"] = new JsonObject { ["code"] = "ABC" },
        };
        await client.CustomObjects.CreateClusterCustomObjectAsync(body, "test.example.com", "v1", "widgets");

        var asBeta = Node(await client.CustomObjects.GetClusterCustomObjectAsync("test.example.com", "v1beta1", "widgets", "w"));

        Assert.Equal("test.example.com/v1beta1", asBeta["apiVersion"]!.GetValue<string>());
        Assert.Equal("ABC", asBeta["spec"]!["code"]!.GetValue<string>());
        Assert.Null(asBeta["metadata"]!["namespace"]);
    }

    [Fact]
    public async Task Delete_without_finalizers_returns_success_status_then_404()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var created = await client.CreateFund(Fund("sp500"));

        var status = Node(await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "sp500"));

        Assert.Equal("Success", status["status"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), status["details"]!["uid"]!.GetValue<string>());
        var (code, _) = await Fails(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "sp500"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Create_in_missing_namespace_is_404_and_namespace_mismatch_is_400()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        var (code, status) = await Fails(() => client.CreateFund(Fund("x"), ns: "missing"));
        Assert.Equal(404, code);
        Assert.Equal("namespaces \"missing\" not found", status["message"]!.GetValue<string>());

        var body = Fund("y");
        body["metadata"]!["namespace"] = "kube-system";
        (code, status) = await Fails(() => client.CreateFund(body));
        Assert.Equal(400, code);
        Assert.Contains("does not match the namespace", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateName_makes_a_unique_name()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var body = Fund("ignored");
        body["metadata"] = new JsonObject { ["generateName"] = "fund-" };

        var a = await client.CreateFund(body.DeepClone().AsObject());
        var b = await client.CreateFund(body.DeepClone().AsObject());

        Assert.Matches("^fund-[a-z0-9]{5}$", a["metadata"]!["name"]!.GetValue<string>());
        Assert.NotEqual(a["metadata"]!["name"]!.GetValue<string>(), b["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task DryRun_does_not_store_or_bump_the_version()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var before = cluster.ResourceVersion;

        await client.CustomObjects.CreateNamespacedCustomObjectAsync(Fund("dry"), Group, Ver, Ns, Plural, dryRun: "All");

        Assert.Equal(before, cluster.ResourceVersion);
        var (code, _) = await Fails(() => client.GetFund("dry"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Invalid_labels_are_422_and_a_foreign_uid_is_a_failed_precondition()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var created = await client.CreateFund(Fund("sp500"));

        var (code, status) = await Fails(() => client.CreateFund(Fund("bad", labels: new() { ["ok"] = "not ok!" })));
        Assert.Equal(422, code);
        Assert.Contains("metadata.labels: Invalid value: \"not ok!\"", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (code, _) = await Fails(() => client.CreateFund(Fund("bad2", labels: new() { ["-bad-key"] = "v" })));
        Assert.Equal(422, code);

        created["metadata"]!["uid"] = "00000000-0000-0000-0000-000000000000";
        (code, status) = await Fails(() => client.CustomObjects.ReplaceNamespacedCustomObjectAsync(created, Group, Ver, Ns, Plural, "sp500"));
        Assert.Equal(409, code);
        Assert.Contains("Precondition failed: UID in precondition", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_paths_are_404_with_a_Status_body()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();

        var (code, body, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/nope.example.com/v1/things");

        Assert.Equal((int)HttpStatusCode.NotFound, code);
        Assert.Equal("the server could not find the requested resource", body["message"]!.GetValue<string>());
    }
}
