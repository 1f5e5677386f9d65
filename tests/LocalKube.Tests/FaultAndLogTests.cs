using System.Diagnostics;
using k8s;
using k8s.Autorest;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Fault injection and the request log.</summary>
public sealed class FaultAndLogTests
{
    [Fact]
    public async Task FailNext_fails_exactly_the_matching_requests_then_recovers()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await client.CreateFund(Fund("b"));
        cluster.Faults.FailNext(2, 503, verb: "get", resource: Plural, name: "a");

        var (first, status) = await Fails(() => client.GetFund("a"));
        var other = await client.GetFund("b");
        var (second, _) = await Fails(() => client.GetFund("a"));
        var recovered = await client.GetFund("a");

        Assert.Equal((503, 503), (first, second));
        Assert.Equal("ServiceUnavailable", status["reason"]!.GetValue<string>());
        Assert.Equal("b", other["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("a", recovered["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Injected_failures_do_not_execute_the_request()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        cluster.Faults.FailNext(1, 500, verb: "create");

        var (code, _) = await Fails(() => client.CreateFund(Fund("a")));
        var (missing, _) = await Fails(() => client.GetFund("a"));

        Assert.Equal(500, code);
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task FailNextAfterApplying_executes_the_request_then_answers_the_failure()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        cluster.Faults.FailNextAfterApplying(1, 504, verb: "create", resource: Plural);

        var (code, _) = await Fails(() => client.CreateFund(Fund("a")));
        var stored = await client.GetFund("a");
        await client.CreateFund(Fund("b")); // one request only: the next succeeds

        Assert.Equal(504, code);
        Assert.Equal("a", stored["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Throttling_answers_429_with_Retry_After()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        cluster.Faults.FailNext(1, 429, resource: Plural, retryAfter: TimeSpan.FromSeconds(3));

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural));

        Assert.Equal(429, (int)e.Response.StatusCode);
        Assert.Equal(["3"], e.Response.Headers["Retry-After"]);
        Assert.Contains("\"retryAfterSeconds\":3", e.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Injected_conflict_on_status_writes_only()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        cluster.Faults.FailNext(1, 409, verb: "patch", resource: Plural + "/status");

        await client.MergeFund("a", """{"spec":{"replicas":2}}""");
        var (code, status) = await Fails(() => client.MergeFund("a", """{"status":{"observedGeneration":2}}""", status: true));

        Assert.Equal(409, code);
        Assert.Equal("Conflict", status["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Latency_delays_matching_requests()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        cluster.Faults.AddLatency(TimeSpan.FromMilliseconds(300), verb: "get", count: 1);

        var watch = Stopwatch.StartNew();
        await client.GetFund("a");
        var delayed = watch.Elapsed;

        Assert.True(delayed >= TimeSpan.FromMilliseconds(290), $"took {delayed}");
    }

    [Fact]
    public async Task ExpireNextWatch_sends_the_in_stream_410()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        cluster.Faults.ExpireNextWatch(Plural);

        await using var watch = WatchRecorder.Funds(client, resourceVersion: "1");
        Assert.Empty(await watch.EndAsync());

        var error = Assert.IsType<KubernetesException>(Assert.Single(watch.Errors));
        Assert.Equal(410, error.Status.Code);
    }

    [Fact]
    public async Task ExpireWatches_ends_open_watches_with_410()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await using var watch = WatchRecorder.Funds(client);
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);

        Assert.Equal(1, cluster.Faults.ExpireWatches(Plural));

        Assert.Empty(await watch.EndAsync());
        Assert.Equal(410, Assert.IsType<KubernetesException>(Assert.Single(watch.Errors)).Status.Code);
    }

    [Fact]
    public async Task DropWatches_keeps_the_connection_but_delivers_nothing_more()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("a"));
        await using var dropped = WatchRecorder.Funds(client);
        Assert.Equal(WatchEventType.Added, (await dropped.NextAsync()).Type);

        Assert.Equal(1, cluster.Faults.DropWatches(Plural));
        await client.MergeFund("a", """{"spec":{"replicas":2}}""");
        await using var fresh = WatchRecorder.Funds(client);
        Assert.Equal(2, (await fresh.NextAsync()).Object["spec"]!["replicas"]!.GetValue<int>());

        // Closing now ends the dropped stream: the change committed before it was never delivered.
        Assert.Equal(2, cluster.Faults.CloseWatches(Plural));
        Assert.Empty(await dropped.EndAsync());
    }

    [Fact]
    public async Task Request_log_counts_by_verb_and_resource()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        cluster.Requests.Clear();

        await client.CreateFund(Fund("a"));
        await client.GetFund("a");
        await client.MergeFund("a", """{"status":{"observedGeneration":1}}""", status: true);
        await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural);
        await Fails(() => client.GetFund("missing"));

        Assert.Equal(1, cluster.Requests.Count("create", Plural));
        Assert.Equal(2, cluster.Requests.Count("get", Plural));
        Assert.Equal(1, cluster.Requests.Count("patch", Plural + "/status"));
        Assert.Equal(1, cluster.Requests.Count("list"));
        Assert.Equal(2, cluster.Requests.Writes(Plural));
        Assert.Equal(404, cluster.Requests.Where(name: "missing").Single().StatusCode);
        Assert.Equal(1, cluster.Requests.Counters["patch indexfunds/status"]);
        Assert.StartsWith("kubernetes-csharp/", cluster.Requests.All[0].UserAgent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForAsync_completes_on_past_and_future_requests_and_times_out()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;

        var past = await cluster.Requests.WaitForAsync(r => r.Verb == "create" && r.Resource == "customresourcedefinitions");
        var future = cluster.Requests.WaitForCountAsync(2, verb: "get", resource: Plural, timeout: Guard);
        Assert.False(future.IsCompleted);
        await Fails(() => client.GetFund("x"));
        Assert.False(future.IsCompleted);
        await Fails(() => client.GetFund("y"));
        await future;

        Assert.Equal(201, past.StatusCode);
        await Assert.ThrowsAsync<TimeoutException>(() => cluster.Requests.WaitForAsync(r => r.Verb == "deletecollection", TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task Many_clusters_start_fast_and_are_isolated()
    {
        var watch = Stopwatch.StartNew();
        await using var one = await LocalKubeCluster.StartAsync();
        await using var two = await LocalKubeCluster.StartAsync();
        var startup = watch.Elapsed;
        await one.CreateClient().CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { Name = "only-one" } });

        var inTwo = await two.CreateClient().CoreV1.ListNamespaceAsync();

        Assert.NotEqual(one.Url, two.Url);
        Assert.DoesNotContain(inTwo.Items, n => n.Metadata.Name == "only-one");
        // A guard against a start that hangs (on a loaded machine a start can take seconds), not a benchmark.
        Assert.True(startup < TimeSpan.FromSeconds(30), $"two clusters took {startup}");
    }

    [Fact]
    public async Task Dispose_ends_open_watches_and_closes_the_port()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await client.CreateFund(Fund("a"));
        await using var watch = WatchRecorder.Funds(client);
        Assert.Equal(WatchEventType.Added, (await watch.NextAsync()).Type);

        await cluster.DisposeAsync().AsTask().WaitAsync(Guard);

        var ended = await watch.FailureAsync();
        Assert.True(ended is null or HttpRequestException or IOException, ended?.ToString());
        await Assert.ThrowsAsync<HttpRequestException>(() => client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural));
    }

    [Fact]
    public async Task ApplyYaml_seeds_crds_and_resources_and_updates_them()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var yaml = File.ReadAllText(Manifest("crd.yaml")) + "\n---\n" + File.ReadAllText(Manifest("sample2.yaml"))
            + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n";

        var created = await cluster.ApplyYamlAsync(yaml);
        var updated = await cluster.ApplyYamlAsync(File.ReadAllText(Manifest("sample2.yaml")).Replace("replicas: 3", "replicas: 4", StringComparison.Ordinal));

        Assert.Equal(["CustomResourceDefinition", "IndexFund", "ConfigMap"], created.Select(o => o["kind"]!.GetValue<string>()));
        Assert.Equal(3, created[1]["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(4, Assert.Single(updated)["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("fast", (await cluster.CreateClient().CoreV1.ReadNamespacedConfigMapAsync("settings", Ns)).Data["mode"]);
        Assert.Equal(4, cluster.Requests.Count("patch"));
        await Assert.ThrowsAsync<ArgumentException>(() => cluster.ApplyYamlAsync("apiVersion: nope/v1\nkind: Thing\nmetadata:\n  name: x\n"));
    }

    [Fact]
    public async Task Kubeconfig_is_accepted_by_the_csharp_loader()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var path = cluster.WriteKubeconfig(Path.GetTempFileName());
        try
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
            using var client = new Kubernetes(config);

            var version = await client.Version.GetCodeAsync();

            Assert.Equal("1", version.Major);
            Assert.Equal("default", config.Namespace);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
