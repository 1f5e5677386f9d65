using System.Text.Json.Nodes;
using k8s;
using Microsoft.Extensions.Time.Testing;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Watch semantics through the real KubernetesClient: events, replay, 410, bookmarks, timeouts, selectors.</summary>
public sealed class WatchTests
{
    [Fact]
    public async Task Watch_from_list_resourceVersion_sees_added_modified_deleted_in_order()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var list = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural));
        await using var watch = WatchRecorder.Funds(client, resourceVersion: Rv(list));

        var created = await client.CreateFund(Fund("w1"));
        var modified = await client.MergeFund("w1", """{"spec":{"replicas":4}}""");
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "w1");

        var e1 = await watch.NextAsync();
        var e2 = await watch.NextAsync();
        var e3 = await watch.NextAsync();
        Assert.Equal((WatchEventType.Added, Rv(created)), (e1.Type, Rv(e1.Object)));
        Assert.Equal((WatchEventType.Modified, Rv(modified)), (e2.Type, Rv(e2.Object)));
        Assert.Equal(WatchEventType.Deleted, e3.Type);
        Assert.True(long.Parse(Rv(e3.Object), System.Globalization.CultureInfo.InvariantCulture) > long.Parse(Rv(modified), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(4, e3.Object["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task Callback_style_Watch_gets_events_and_onClosed_when_the_server_closes()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        var events = System.Threading.Channels.Channel.CreateUnbounded<(WatchEventType, object)>();
        var closed = new TaskCompletionSource();
        using var watcher = client.CustomObjects.WatchListNamespacedCustomObject(Group, Ver, Ns, Plural,
            onEvent: (type, obj) => events.Writer.TryWrite((type, obj)),
            onError: _ => { },
            onClosed: () => closed.TrySetResult());
        var (first, _) = await events.Reader.ReadAsync().AsTask().WaitAsync(Guard);
        await client.MergeFund("a", """{"spec":{"replicas":2}}""");
        var (second, obj) = await events.Reader.ReadAsync().AsTask().WaitAsync(Guard);
        cluster.Faults.CloseWatches(Plural);

        await closed.Task.WaitAsync(Guard);
        Assert.Equal((WatchEventType.Added, WatchEventType.Modified), (first, second));
        Assert.Equal(2, Node(obj)["spec"]!["replicas"]!.GetValue<int>());
        Assert.False(watcher.Watching);
    }

    [Fact]
    public async Task Watch_without_resourceVersion_starts_with_synthetic_ADDED_events()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await client.CreateFund(Fund("b"));

        await using var watch = WatchRecorder.Funds(client);

        var first = await watch.NextAsync();
        var second = await watch.NextAsync();
        Assert.Equal(["a", "b"], new[] { first, second }.Select(e => e.Object["metadata"]!["name"]!.GetValue<string>()));
        Assert.All(new[] { first, second }, e => Assert.Equal(WatchEventType.Added, e.Type));
    }

    [Fact]
    public async Task Watch_replays_history_after_the_given_resourceVersion()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var a = await client.CreateFund(Fund("a"));
        await client.MergeFund("a", """{"spec":{"replicas":2}}""");
        await client.CreateFund(Fund("b"));

        await using var watch = WatchRecorder.Funds(client, resourceVersion: Rv(a));

        var e1 = await watch.NextAsync();
        var e2 = await watch.NextAsync();
        Assert.Equal((WatchEventType.Modified, "a"), (e1.Type, e1.Object["metadata"]!["name"]!.GetValue<string>()));
        Assert.Equal((WatchEventType.Added, "b"), (e2.Type, e2.Object["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Too_old_resourceVersion_gets_in_stream_410_Expired_and_the_enumeration_ends()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var a = await client.CreateFund(Fund("a"));
        await client.MergeFund("a", """{"spec":{"replicas":2}}""");
        cluster.Faults.CompactHistory();

        await using var watch = WatchRecorder.Funds(client, resourceVersion: Rv(a));

        var rest = await watch.EndAsync();
        Assert.Empty(rest);
        var error = Assert.IsType<KubernetesException>(Assert.Single(watch.Errors));
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
    }

    [Fact]
    public async Task Bookmarks_are_sent_when_allowed()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await using var watch = WatchRecorder.Funds(client, bookmarks: true);
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);

        cluster.SendBookmarks();

        var bookmark = await watch.NextAsync();
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        Assert.Equal(cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), Rv(bookmark.Object));
    }

    [Fact]
    public async Task No_bookmarks_unless_the_watch_allows_them()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var a = await client.CreateFund(Fund("a"));
        await using var watch = WatchRecorder.Funds(client, resourceVersion: Rv(a));
        await WaitForWatchers(cluster, 1);

        cluster.SendBookmarks();
        var modified = await client.MergeFund("a", """{"spec":{"replicas":2}}""");

        var next = await watch.NextAsync();
        Assert.Equal((WatchEventType.Modified, Rv(modified)), (next.Type, Rv(next.Object)));
    }

    [Fact]
    public async Task Periodic_bookmarks_follow_the_cluster_clock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var (cluster, client) = await StartWithCrdAsync(new LocalKubeOptions { TimeProvider = time, BookmarkInterval = TimeSpan.FromSeconds(60) });
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await using var watch = WatchRecorder.Funds(client, bookmarks: true);
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);

        time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(WatchEventType.Bookmark, (await watch.NextAsync()).Type);
    }

    [Fact]
    public async Task TimeoutSeconds_closes_the_watch_cleanly()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var (cluster, client) = await StartWithCrdAsync(new LocalKubeOptions { TimeProvider = time });
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await using var watch = WatchRecorder.Funds(client, timeoutSeconds: 5);
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);
        await WaitForWatchers(cluster, 1);

        time.Advance(TimeSpan.FromSeconds(6));

        Assert.Empty(await watch.EndAsync());
    }

    [Fact]
    public async Task Watch_without_timeoutSeconds_stays_open_for_the_default_30_minutes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var (cluster, client) = await StartWithCrdAsync(new LocalKubeOptions { TimeProvider = time });
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await using var watch = WatchRecorder.Funds(client);
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);

        time.Advance(TimeSpan.FromMinutes(29));
        await client.MergeFund("a", """{"spec":{"replicas":2}}""");
        Assert.Equal(WatchEventType.Modified, (await watch.NextAsync()).Type);
        time.Advance(TimeSpan.FromMinutes(2));

        Assert.Empty(await watch.EndAsync());
    }

    [Fact]
    public async Task Field_selector_on_metadata_namespace_across_namespaces()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { Name = "other" } });
        await client.CreateFund(Fund("x"), ns: "other");
        await client.CreateFund(Fund("y"));

        var other = Node(await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Ver, Plural, fieldSelector: "metadata.namespace=other"));
        var notOther = Node(await client.CustomObjects.ListCustomObjectForAllNamespacesAsync(Group, Ver, Plural, fieldSelector: "metadata.namespace!=other"));

        Assert.Equal("x", Assert.Single(other["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("y", Assert.Single(notOther["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_quiet_watch_closed_by_the_server_surfaces_as_an_HttpRequestException()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await using var watch = WatchRecorder.Funds(client, resourceVersion: cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await WaitForWatchers(cluster, 1);

        Assert.Equal(1, cluster.Faults.CloseWatches());

        Assert.IsType<HttpRequestException>(await watch.FailureAsync());
    }

    [Fact]
    public async Task Label_selector_watch_sees_objects_entering_and_leaving_the_selection()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a", labels: new() { ["tier"] = "core" }));
        await using var watch = WatchRecorder.Funds(client, labelSelector: "tier=core");
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);

        var left = await client.MergeFund("a", """{"metadata":{"labels":{"tier":"edge"}}}""");
        await client.CreateFund(Fund("ignored", labels: new() { ["tier"] = "edge" }));
        var back = await client.MergeFund("a", """{"metadata":{"labels":{"tier":"core"}}}""");

        var gone = await watch.NextAsync();
        Assert.Equal(WatchEventType.Deleted, gone.Type);
        Assert.Equal("core", gone.Object["metadata"]!["labels"]!["tier"]!.GetValue<string>());
        Assert.Equal(Rv(left), Rv(gone.Object));
        var entered = await watch.NextAsync();
        Assert.Equal((WatchEventType.Added, Rv(back)), (entered.Type, Rv(entered.Object)));
    }

    [Fact]
    public async Task Field_selector_on_metadata_name_filters_list_and_watch()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await client.CreateFund(Fund("b"));

        var list = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, fieldSelector: "metadata.name=b"));
        await using var watch = WatchRecorder.Funds(client, fieldSelector: "metadata.name=b", resourceVersion: Rv(list));
        await client.MergeFund("a", """{"spec":{"replicas":2}}""");
        await client.MergeFund("b", """{"spec":{"replicas":3}}""");

        Assert.Equal("b", Assert.Single(list["items"]!.AsArray())!["metadata"]!["name"]!.GetValue<string>());
        var e = await watch.NextAsync();
        Assert.Equal((WatchEventType.Modified, "b"), (e.Type, e.Object["metadata"]!["name"]!.GetValue<string>()));
        var (code, status) = await Fails(() => client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, fieldSelector: "spec.index=x"));
        Assert.Equal(400, code);
        Assert.Contains("is not a known field selector", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Noop_update_emits_no_event()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var a = await client.CreateFund(Fund("a", replicas: 1));
        await using var watch = WatchRecorder.Funds(client, resourceVersion: Rv(a));

        await client.MergeFund("a", """{"spec":{"replicas":1}}""");
        var real = await client.MergeFund("a", """{"spec":{"replicas":2}}""");

        var e = await watch.NextAsync();
        Assert.Equal(Rv(real), Rv(e.Object));
    }

    [Fact]
    public async Task Watch_across_namespaces_and_namespace_isolation()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { Name = "other" } });
        var start = cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var all = new WatchRecorder(ct => client.CustomObjects.WatchListCustomObjectForAllNamespacesAsync(
            Group, Ver, Plural, resourceVersion: start, cancellationToken: ct));
        await using var defaultOnly = WatchRecorder.Funds(client, resourceVersion: start);

        await client.CreateFund(Fund("x"), ns: "other");
        await client.CreateFund(Fund("y"));

        Assert.Equal("other", (await all.NextAsync()).Object["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("default", (await all.NextAsync()).Object["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("y", (await defaultOnly.NextAsync()).Object["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_of_several_versions_serves_each_its_apiVersion()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        var start = cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var beta = new WatchRecorder(ct => client.CustomObjects.WatchListClusterCustomObjectAsync(
            "test.example.com", "v1beta1", "widgets", resourceVersion: start, cancellationToken: ct));

        await client.CustomObjects.CreateClusterCustomObjectAsync(
            new JsonObject { ["apiVersion"] = "test.example.com/v1", ["kind"] = "Widget", ["metadata"] = new JsonObject { ["name"] = "w" } },
            "test.example.com", "v1", "widgets");

        Assert.Equal("test.example.com/v1beta1", (await beta.NextAsync()).Object["apiVersion"]!.GetValue<string>());
    }

    internal static Task WaitForWatchers(LocalKubeCluster cluster, int count) =>
        cluster.Requests.WaitForCountAsync(count, verb: "watch", timeout: Guard);
}
