using k8s;
using k8s.LeaderElection;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Less common API paths: expired continue tokens, Exact reads, deletecollection, bad verbs and bodies.</summary>
public sealed class EdgeCaseTests
{
    private const string FundsPath = "/apis/finance.example.com/v1alpha1/namespaces/default/indexfunds";

    [Fact]
    public async Task Continue_token_older_than_the_history_is_410_Expired()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await client.CreateFund(Fund("b"));
        var page = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, limit: 1));
        var token = page["metadata"]!["continue"]!.GetValue<string>();
        Assert.Equal(1, page["metadata"]!["remainingItemCount"]!.GetValue<int>());
        await client.CreateFund(Fund("c"));
        cluster.Faults.CompactHistory();

        var (code, status) = await Fails(() => client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, continueParameter: token, limit: 1));

        Assert.Equal(410, code);
        Assert.Equal("Expired", status["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Continue_pages_and_Exact_reads_show_the_snapshot_of_their_resourceVersion()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        foreach (var n in new[] { "a", "b", "c", "d" })
        {
            await client.CreateFund(Fund(n));
        }

        var first = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, limit: 2));
        var listRv = Rv(first);
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "c");
        await client.MergeFund("d", """{"spec":{"replicas":9}}""");
        await client.CreateFund(Fund("e"));

        var second = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural,
            continueParameter: first["metadata"]!["continue"]!.GetValue<string>(), limit: 5));
        var exact = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural,
            resourceVersion: listRv, resourceVersionMatch: "Exact"));

        Assert.Equal(["c", "d"], second["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal(1, second["items"]![1]!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(listRv, Rv(second));
        Assert.Null(second["metadata"]!["continue"]);
        Assert.Equal(["a", "b", "c", "d"], exact["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal(listRv, Rv(exact));
    }

    [Fact]
    public async Task Exact_read_older_than_the_history_is_410_and_bad_parameters_are_400()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var a = await client.CreateFund(Fund("a"));
        await client.CreateFund(Fund("b"));
        cluster.Faults.CompactHistory();

        var (old, _, _) = await cluster.SendAsync(HttpMethod.Get, $"{FundsPath}?resourceVersion={Rv(a)}&resourceVersionMatch=Exact");
        var (bad, _, _) = await cluster.SendAsync(HttpMethod.Get, $"{FundsPath}?resourceVersionMatch=Exact");
        var (garbage, _, _) = await cluster.SendAsync(HttpMethod.Get, $"{FundsPath}?resourceVersion=abc&watch=true");

        Assert.Equal((410, 400, 400), (old, bad, garbage));
    }

    [Fact]
    public async Task Deletecollection_deletes_the_selected_objects()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a", labels: new() { ["tier"] = "core" }));
        await client.CreateFund(Fund("b", labels: new() { ["tier"] = "core" }));
        await client.CreateFund(Fund("c"));

        await client.CustomObjects.DeleteCollectionNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, labelSelector: "tier=core");

        var left = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural));
        Assert.Equal("c", Assert.Single(left["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(1, cluster.Requests.Count("deletecollection", Plural));
    }

    [Fact]
    public async Task Unsupported_verbs_bodies_and_media_types_get_the_right_errors()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));

        var (postNamed, _, _) = await cluster.SendAsync(HttpMethod.Post, FundsPath + "/a", "{}");
        var (plainJsonPatch, _, _) = await cluster.SendAsync(HttpMethod.Patch, FundsPath + "/a", "{}");
        var (malformed, _, _) = await cluster.SendAsync(HttpMethod.Post, FundsPath, "{not json");
        var (applyWithoutManager, _, _) = await cluster.SendAsync(HttpMethod.Patch, FundsPath + "/a", "{}", "application/apply-patch+yaml");
        var (patchMissing, _, _) = await cluster.SendAsync(HttpMethod.Patch, FundsPath + "/missing", "{}", "application/merge-patch+json");
        var (badPointer, _, _) = await cluster.SendAsync(HttpMethod.Patch, FundsPath + "/a", """[{"op":"remove","path":"/spec/nope"}]""", "application/json-patch+json");
        var (wrongKind, _, _) = await cluster.SendAsync(HttpMethod.Post, FundsPath, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}""");
        var (withRv, _, _) = await cluster.SendAsync(HttpMethod.Post, FundsPath, """{"metadata":{"name":"x","resourceVersion":"5"},"spec":{"index":"X"}}""");
        var (noName, noNameBody, _) = await cluster.SendAsync(HttpMethod.Post, FundsPath, """{"spec":{"index":"X"}}""");

        Assert.Equal((405, 415, 400), (postNamed, plainJsonPatch, malformed));
        Assert.Equal((400, 404, 422), (applyWithoutManager, patchMissing, badPointer));
        Assert.Equal((400, 400, 422), (wrongKind, withRv, noName));
        Assert.Contains("name or generateName is required", noNameBody["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task All_namespaces_path_of_a_namespaced_resource_serves_only_list_and_watch()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        const string all = "/apis/finance.example.com/v1alpha1/indexfunds";

        var (list, body, _) = await cluster.SendAsync(HttpMethod.Get, all);
        var (create, _, _) = await cluster.SendAsync(HttpMethod.Post, all, """{"metadata":{"name":"b"},"spec":{"index":"X"}}""");
        var (get, _, _) = await cluster.SendAsync(HttpMethod.Get, all + "/a");
        var (namespacedInCluster, _, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/test.example.com/v1/namespaces/default/widgets");

        Assert.Equal((200, 404, 404, 404), (list, create, get, namespacedInCluster));
        Assert.Single(body["items"]!.AsArray());
    }

    [Fact]
    public async Task Server_side_apply_can_create_and_yaml_bodies_work()
    {
        var (cluster, _) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        var (code, created, _) = await cluster.SendAsync(HttpMethod.Patch, FundsPath + "/yaml?fieldManager=tester",
            "apiVersion: finance.example.com/v1alpha1\nkind: IndexFund\nmetadata:\n  name: yaml\nspec:\n  index: CAC\n  replicas: 2\n",
            "application/apply-patch+yaml");

        Assert.Equal(201, code);
        Assert.Equal(2, created["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("tester", created["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());
    }

    [Fact]
    public async Task DryRun_delete_keeps_the_object()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));

        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "a", dryRun: "All");

        Assert.Equal("a", (await client.GetFund("a"))["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_leader_electors_take_over_after_the_holder_stops()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        LeaderElector Elector(string id) => new(new LeaderElectionConfig(new k8s.LeaderElection.ResourceLock.LeaseLock(client, Ns, "lock", id))
        {
            LeaseDuration = TimeSpan.FromSeconds(1),
            RenewDeadline = TimeSpan.FromMilliseconds(800),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        });
        using var a = Elector("pod-a");
        using var b = Elector("pod-b");
        var aLeads = new TaskCompletionSource();
        var bLeads = new TaskCompletionSource();
        a.OnStartedLeading += () => aLeads.TrySetResult();
        b.OnStartedLeading += () => bLeads.TrySetResult();
        using var stopA = new CancellationTokenSource();
        using var stopB = new CancellationTokenSource();

        var runA = a.RunUntilLeadershipLostAsync(stopA.Token);
        await aLeads.Task.WaitAsync(Guard);
        var runB = b.RunUntilLeadershipLostAsync(stopB.Token);
        await stopA.CancelAsync();
        await bLeads.Task.WaitAsync(Guard);
        await stopB.CancelAsync();
        await Task.WhenAll(runA, runB).ContinueWith(_ => { }, TaskScheduler.Default);

        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("lock", Ns);
        Assert.Equal("pod-b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
    }
}
