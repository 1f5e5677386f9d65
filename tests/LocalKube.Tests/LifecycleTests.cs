using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Finalizers, deletionTimestamp, ownerReferences garbage collection, namespace deletion.</summary>
public sealed class LifecycleTests
{
    private static JsonObject WithFinalizer(JsonObject o, string finalizer = "finance.example.com/cleanup")
    {
        o["metadata"]!["finalizers"] = new JsonArray(finalizer);
        return o;
    }

    [Fact]
    public async Task Delete_with_finalizer_marks_deleting_and_removing_the_last_finalizer_deletes()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var created = await client.CreateFund(WithFinalizer(Fund("sp500")));
        await using var watch = WatchRecorder.Funds(client, resourceVersion: Rv(created));

        var marked = Node(await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "sp500"));
        Assert.NotNull(marked["metadata"]!["deletionTimestamp"]);
        Assert.Equal(0, marked["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        Assert.Equal(2, Generation(marked));
        var again = Node(await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "sp500"));
        Assert.Equal(Rv(marked), Rv(again));

        var specStillWritable = await client.MergeFund("sp500", """{"spec":{"replicas":2}}""");
        Assert.Equal(2, specStillWritable["spec"]!["replicas"]!.GetValue<int>());
        await client.MergeFund("sp500", """{"metadata":{"finalizers":null}}""");

        Assert.Equal(WatchEventType.Modified, (await watch.NextAsync()).Type);
        Assert.Equal(WatchEventType.Modified, (await watch.NextAsync()).Type);
        var deleted = await watch.NextAsync();
        Assert.Equal(WatchEventType.Deleted, deleted.Type);
        var (code, _) = await Fails(() => client.GetFund("sp500"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task No_new_finalizers_while_deleting_and_recreate_is_409_being_deleted()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(WithFinalizer(Fund("sp500")));
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "sp500");

        var (code, status) = await Fails(() => client.MergeFund("sp500", """{"metadata":{"finalizers":["finance.example.com/cleanup","other/x"]}}"""));
        Assert.Equal(422, code);
        Assert.Contains("no new finalizers can be added if the object is being deleted", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        (code, status) = await Fails(() => client.CreateFund(Fund("sp500")));
        Assert.Equal(409, code);
        Assert.StartsWith("object is being deleted: ", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_preconditions_are_checked()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("sp500"));

        var (code, status) = await Fails(() => client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "sp500",
            body: new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = "not-the-uid" } }));

        Assert.Equal(409, code);
        Assert.Contains("Precondition failed: UID in precondition: not-the-uid", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_an_owner_garbage_collects_its_dependents()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var owner = await client.CreateFund(Fund("owner"));
        var reference = new V1OwnerReference
        {
            ApiVersion = "finance.example.com/v1alpha1", Kind = "IndexFund", Name = "owner",
            Uid = owner["metadata"]!["uid"]!.GetValue<string>(), Controller = true, BlockOwnerDeletion = true,
        };
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "dep", OwnerReferences = [reference] } }, Ns);
        var child = Fund("child");
        child["metadata"]!["ownerReferences"] = JsonNode.Parse(k8s.KubernetesJson.Serialize(new[] { reference }));
        await client.CreateFund(WithFinalizer(child));

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "owner");

        var maps = await client.CoreV1.ListNamespacedConfigMapAsync(Ns);
        Assert.DoesNotContain(maps.Items, m => m.Metadata.Name == "dep");
        var terminating = await client.GetFund("child");
        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);
    }

    [Fact]
    public async Task Orphan_propagation_strips_the_owner_reference()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var owner = await client.CreateFund(Fund("owner"));
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "dep",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "finance.example.com/v1alpha1", Kind = "IndexFund", Name = "owner", Uid = owner["metadata"]!["uid"]!.GetValue<string>() }],
            },
        }, Ns);

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "owner", body: new V1DeleteOptions { PropagationPolicy = "Orphan" });

        var dep = await client.CoreV1.ReadNamespacedConfigMapAsync("dep", Ns);
        Assert.Null(dep.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Orphan_deletion_of_an_owner_with_finalizers_orphans_at_once_and_keeps_dependents()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var owner = await client.CreateFund(WithFinalizer(Fund("owner")));
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "dep",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "finance.example.com/v1alpha1", Kind = "IndexFund", Name = "owner", Uid = owner["metadata"]!["uid"]!.GetValue<string>() }],
            },
        }, Ns);

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "owner", body: new V1DeleteOptions { PropagationPolicy = "Orphan" });
        Assert.Null((await client.CoreV1.ReadNamespacedConfigMapAsync("dep", Ns)).Metadata.OwnerReferences);
        await client.MergeFund("owner", """{"metadata":{"finalizers":null}}""");

        Assert.Equal("dep", (await client.CoreV1.ReadNamespacedConfigMapAsync("dep", Ns)).Metadata.Name);
        var (code, _) = await Fails(() => client.GetFund("owner"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_contents()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team" } });
        await client.CreateFund(Fund("a"), ns: "team");
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["k"] = "v" } }, "team");

        await client.CoreV1.DeleteNamespaceAsync("team");

        var funds = Node(await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Ver, Plural));
        Assert.Empty(funds["items"]!.AsArray());
        var (code, _) = await Fails(() => client.CoreV1.ReadNamespaceAsync("team"));
        Assert.Equal(404, code);
    }

    [Fact]
    public async Task Foreground_deletion_waits_for_blocking_dependents()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var owner = await client.CreateFund(Fund("owner"));
        var reference = new JsonArray(new JsonObject
        {
            ["apiVersion"] = "finance.example.com/v1alpha1", ["kind"] = "IndexFund", ["name"] = "owner",
            ["uid"] = owner["metadata"]!["uid"]!.GetValue<string>(), ["blockOwnerDeletion"] = true,
        });
        var child = WithFinalizer(Fund("child"));
        child["metadata"]!["ownerReferences"] = reference;
        await client.CreateFund(child);

        var marked = Node(await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "owner",
            body: new V1DeleteOptions { PropagationPolicy = "Foreground" }));

        Assert.Equal(["foregroundDeletion"], marked["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.NotNull((await client.GetFund("child"))["metadata"]!["deletionTimestamp"]);
        Assert.NotNull((await client.GetFund("owner"))["metadata"]!["deletionTimestamp"]);

        await client.MergeFund("child", """{"metadata":{"finalizers":null}}""");

        var (childCode, _) = await Fails(() => client.GetFund("child"));
        var (ownerCode, _) = await Fails(() => client.GetFund("owner"));
        Assert.Equal((404, 404), (childCode, ownerCode));
    }

    [Fact]
    public async Task Deleting_a_crd_waits_for_custom_resource_finalizers_and_blocks_new_resources()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(WithFinalizer(Fund("guarded")));
        await client.CreateFund(Fund("plain"));
        const string crdName = "indexfunds.finance.example.com";
        Assert.Contains("customresourcecleanup.apiextensions.k8s.io", (await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crdName)).Metadata.Finalizers);

        await client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync(crdName);

        var terminating = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crdName);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        Assert.Contains(terminating.Status.Conditions, c => c.Type == "Terminating" && c.Status == "True");
        var (plainCode, _) = await Fails(() => client.GetFund("plain"));
        Assert.Equal(404, plainCode);
        Assert.NotNull((await client.GetFund("guarded"))["metadata"]!["deletionTimestamp"]);
        var (createCode, _) = await Fails(() => client.CreateFund(Fund("new")));
        Assert.Equal(405, createCode);

        await client.MergeFund("guarded", """{"metadata":{"finalizers":null}}""");

        var (crdCode, _) = await Fails(() => client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(crdName));
        Assert.Equal(404, crdCode);
        var (discovery, _, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/finance.example.com/v1alpha1");
        Assert.Equal(404, discovery);
    }
}
