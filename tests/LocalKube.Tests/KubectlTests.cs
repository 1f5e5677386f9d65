using CryptoIndex.LocalKube.Testing;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>End-to-end: the real kubectl binary (pinned, installed by scripts/install-tools.sh) against the fake.</summary>
public sealed class KubectlTests
{
    private const string CrdName = "indexfunds.finance.example.com";

    [Fact]
    public async Task Apply_crd_and_resource_then_get_shows_printer_columns_and_yaml()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var kubectl = new Kubectl(cluster);

        Assert.Contains($"customresourcedefinition.apiextensions.k8s.io/{CrdName} created", await kubectl.OkAsync("apply", "-f", Manifest("crd.yaml")), StringComparison.Ordinal);
        Assert.Contains("unchanged", await kubectl.OkAsync("apply", "-f", Manifest("crd.yaml")), StringComparison.Ordinal);
        Assert.Contains("condition met", await kubectl.OkAsync("wait", "--for=condition=Established", $"crd/{CrdName}", "--timeout=20s"), StringComparison.Ordinal);
        Assert.Contains("indexfund.finance.example.com/sp500 created", await kubectl.OkAsync("apply", "-f", Manifest("sample2.yaml")), StringComparison.Ordinal);

        var table = (await kubectl.OkAsync("get", "indexfunds")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+INDEX\s+REPLICAS\s+READY\s+AGE$", table[0]);
        Assert.Matches(@"^sp500\s+SP500\s+3\s+\d+s$", table[1]);

        var yaml = await kubectl.OkAsync("get", "indexfund", "sp500", "-o", "yaml");
        Assert.Contains("replicas: 3", yaml, StringComparison.Ordinal);
        Assert.Contains("rebalance: weekly", yaml, StringComparison.Ordinal);
        Assert.Contains("generation: 1", yaml, StringComparison.Ordinal);
        Assert.Contains("uid: ", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_of_an_invalid_resource_prints_the_field_errors()
    {
        var (cluster, _) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);

        var (exit, _, err) = await kubectl.RunAsync("apply", "-f", Manifest("bad.yaml"));

        Assert.Equal(1, exit);
        Assert.Contains("spec.index: Required value", err, StringComparison.Ordinal);
        Assert.Contains("spec.rebalance: Unsupported value: \"hourly\"", err, StringComparison.Ordinal);
        Assert.Contains("spec.replicas: Invalid value: \"string\"", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Patch_status_subresource_and_wait_for_Ready_set_by_the_test()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);
        await client.CreateFund(Fund("sp500"));

        var patched = await kubectl.OkAsync("patch", "indexfund", "sp500", "--subresource=status", "--type=merge",
            "-p", """{"status":{"observedGeneration":1}}""");
        Assert.Contains("indexfund.finance.example.com/sp500 patched", patched, StringComparison.Ordinal);
        Assert.Equal(1, (await client.GetFund("sp500"))["status"]!["observedGeneration"]!.GetValue<int>());

        var wait = kubectl.Start("wait", "--for=condition=Ready", "indexfund/sp500", "--timeout=30s");
        await WaitForWatch(cluster);
        await client.MergeFund("sp500", """{"status":{"observedGeneration":1,"conditions":[{"type":"Ready","status":"True","reason":"Reconciled","message":"ok","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":1}]}}""", status: true);

        var (exit, rest) = await wait.ExitAsync();
        Assert.True(exit == 0, $"wait exited {exit}: {rest} {wait.Stderr}");
        Assert.Contains("condition met", rest, StringComparison.Ordinal);
        Assert.Matches(@"sp500\s+SP500\s+1\s+True\s+", await kubectl.OkAsync("get", "ixf"));
    }

    [Fact]
    public async Task Describe_shows_events_of_the_resource()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);
        var fund = await client.CreateFund(Fund("sp500"));
        var now = cluster.Now.UtcDateTime;
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "sp500." },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = "finance.example.com/v1alpha1", Kind = "IndexFund", Name = "sp500", NamespaceProperty = "default",
                Uid = fund["metadata"]!["uid"]!.GetValue<string>(),
            },
            Reason = "Reconciled",
            Message = "hello from operator",
            Type = "Normal",
            Source = new V1EventSource { Component = "indexfund-operator" },
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        }, Ns);

        var describe = await kubectl.OkAsync("describe", "indexfund", "sp500");

        Assert.Matches(@"Normal\s+Reconciled\s+.*indexfund-operator\s+hello from operator", describe);
        Assert.Contains("Index:", describe, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_without_finalizers_and_with_a_finalizer_removed_while_kubectl_waits()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);
        await client.CreateFund(Fund("plain"));
        var guarded = Fund("guarded");
        guarded["metadata"]!["finalizers"] = new JsonArray("finance.example.com/cleanup");
        await client.CreateFund(guarded);

        Assert.Contains("indexfund.finance.example.com \"plain\" deleted", await kubectl.OkAsync("delete", "indexfund", "plain"), StringComparison.Ordinal);
        var (code, _) = await Fails(() => client.GetFund("plain"));
        Assert.Equal(404, code);

        var delete = kubectl.Start("delete", "indexfund", "guarded", "--timeout=30s");
        await delete.LineAsync(l => l.Contains("\"guarded\" deleted", StringComparison.Ordinal));
        await WaitForWatch(cluster);
        var terminating = await client.GetFund("guarded");
        Assert.NotNull(terminating["metadata"]!["deletionTimestamp"]);
        await client.MergeFund("guarded", """{"metadata":{"finalizers":null}}""");

        var (exit, _) = await delete.ExitAsync();
        Assert.True(exit == 0, delete.Stderr);
        (code, _) = await Fails(() => client.GetFund("guarded"));
        Assert.Equal(404, code);
        var (getExit, _, err) = await kubectl.RunAsync("get", "indexfund", "guarded");
        Assert.Equal(1, getExit);
        Assert.Contains("NotFound", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_watch_prints_changes_and_exits_when_the_server_closes_the_stream()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);
        await client.CreateFund(Fund("sp500", replicas: 3));

        var watch = kubectl.Start("get", "indexfunds", "-w");
        await watch.LineAsync(l => l.StartsWith("NAME", StringComparison.Ordinal));
        await watch.LineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^sp500\s+SP500\s+3\s"));
        await WaitForWatch(cluster);
        await client.MergeFund("sp500", """{"spec":{"replicas":5}}""");
        await watch.LineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^sp500\s+SP500\s+5\s"));
        await client.CreateFund(Fund("dax", "DAX"));
        await watch.LineAsync(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^dax\s+DAX\s+1\s"));

        Assert.Equal(1, cluster.Faults.CloseWatches("indexfunds"));
        var (exit, _) = await watch.ExitAsync();
        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task Discovery_lists_the_crd_resources_for_api_resources()
    {
        var (cluster, _) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);

        var resources = await kubectl.OkAsync("api-resources");

        Assert.Matches(@"indexfunds\s+ixf\s+finance.example.com/v1alpha1\s+true\s+IndexFund", resources);
        Assert.Matches(@"leases\s+coordination.k8s.io/v1\s+true\s+Lease", resources);
        Assert.Matches(@"widgets\s+wd\s+test.example.com/v1\s+false\s+Widget", resources);
    }

    [Fact]
    public async Task Apply_update_paths_label_server_side_apply_and_all_namespaces()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", Manifest("sample2.yaml"));
        var changed = kubectl.WriteFile("changed.yaml", File.ReadAllText(Manifest("sample2.yaml")).Replace("replicas: 3", "replicas: 5", StringComparison.Ordinal));

        Assert.Contains("indexfund.finance.example.com/sp500 configured", await kubectl.OkAsync("apply", "-f", changed), StringComparison.Ordinal);
        Assert.Contains("indexfund.finance.example.com/sp500 unchanged", await kubectl.OkAsync("apply", "-f", changed), StringComparison.Ordinal);
        var fund = await client.GetFund("sp500");
        Assert.Equal((5, 2L), (fund["spec"]!["replicas"]!.GetValue<int>(), Generation(fund)));

        Assert.Contains("labeled", await kubectl.OkAsync("label", "indexfund", "sp500", "owner=ops"), StringComparison.Ordinal);
        Assert.Equal("sp500", (await kubectl.OkAsync("get", "ixf", "-l", "owner=ops", "-o", "name")).Trim().Split('/')[1]);

        var ssa = kubectl.WriteFile("ssa.yaml", "apiVersion: finance.example.com/v1alpha1\nkind: IndexFund\nmetadata:\n  name: ssa\n  namespace: default\nspec:\n  index: NIKKEI\n");
        Assert.Contains("indexfund.finance.example.com/ssa serverside-applied", await kubectl.OkAsync("apply", "--server-side", "-f", ssa), StringComparison.Ordinal);
        Assert.Equal("kubectl", (await client.GetFund("ssa"))["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());

        Assert.Matches(@"default\s+ssa\s+NIKKEI\s+1", await kubectl.OkAsync("get", "indexfunds", "-A"));
        Assert.Contains("indexfund.finance.example.com/sp500 patched", await kubectl.OkAsync("patch", "ixf", "sp500", "--type=json", "-p", """[{"op":"replace","path":"/spec/replicas","value":2}]"""), StringComparison.Ordinal);
        var (exit, _, err) = await kubectl.RunAsync("patch", "ixf", "sp500", "-p", """{"spec":{"replicas":2}}""");
        Assert.Equal(1, exit);
        Assert.Contains("application/strategic-merge-patch+json is not supported", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_events_prints_the_event_columns()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var kubectl = new Kubectl(cluster);
        await cluster.CreateClient().CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "sp500.1" },
            InvolvedObject = new V1ObjectReference { Kind = "IndexFund", Name = "sp500", NamespaceProperty = Ns },
            Reason = "Rebalanced", Message = "weights updated", Type = "Normal", LastTimestamp = cluster.Now.UtcDateTime,
        }, Ns);

        var lines = (await kubectl.OkAsync("get", "events")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Matches(@"^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$", lines[0]);
        Assert.Matches(@"^\d+s\s+Normal\s+Rebalanced\s+indexfund/sp500\s+weights updated$", lines[1]);
    }

    [Fact]
    public async Task Create_namespace_configmap_and_secret_with_protobuf_bodies()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var kubectl = new Kubectl(cluster);
        var client = cluster.CreateClient();

        Assert.Contains("namespace/demo created", await kubectl.OkAsync("create", "namespace", "demo"), StringComparison.Ordinal);
        Assert.Contains("configmap/settings created", await kubectl.OkAsync("create", "configmap", "settings", "-n", "demo", "--from-literal=mode=fast"), StringComparison.Ordinal);
        Assert.Contains("secret/creds created", await kubectl.OkAsync("create", "secret", "generic", "creds", "-n", "demo", "--from-literal=token=s3cret"), StringComparison.Ordinal);
        Assert.Contains("namespace/demo labeled", await kubectl.OkAsync("label", "namespace", "demo", "team=index"), StringComparison.Ordinal);

        Assert.Equal("index", (await client.CoreV1.ReadNamespaceAsync("demo")).Metadata.Labels["team"]);
        Assert.Equal("fast", (await client.CoreV1.ReadNamespacedConfigMapAsync("settings", "demo")).Data["mode"]);
        var secret = await client.CoreV1.ReadNamespacedSecretAsync("creds", "demo");
        Assert.Equal("s3cret"u8.ToArray(), secret.Data["token"]);
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal(3, cluster.Requests.Where(verb: "create").Count(r => r.ContentType.Contains("protobuf", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Wait_for_delete_and_single_object_watch()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);
        var guarded = Fund("sp500");
        guarded["metadata"]!["finalizers"] = new JsonArray("finance.example.com/cleanup");
        await client.CreateFund(guarded);
        await client.CreateFund(Fund("other"));

        var names = kubectl.Start("get", "indexfund", "sp500", "-w", "-o", "name");
        Assert.Equal("indexfund.finance.example.com/sp500", await names.LineAsync(_ => true));
        await client.CustomObjects.DeleteNamespacedCustomObjectAsync(Group, Ver, Ns, Plural, "sp500");
        var wait = kubectl.Start("wait", "--for=delete", "indexfund/sp500", "--timeout=30s");
        await WaitForWatch(cluster, 2);
        await client.MergeFund("other", """{"spec":{"replicas":2}}""");
        await client.MergeFund("sp500", """{"metadata":{"finalizers":[]}}""");

        var (exit, _) = await wait.ExitAsync();
        Assert.True(exit == 0, wait.Stderr);
        Assert.True(cluster.Faults.CloseWatches(Plural) >= 1);
        var (namesExit, rest) = await names.ExitAsync();
        Assert.Equal(0, namesExit);
        Assert.DoesNotContain("other", rest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_of_a_builtin_configmap_updates_with_a_strategic_merge_patch()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var kubectl = new Kubectl(cluster);
        var v1 = kubectl.WriteFile("cm1.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels: {app: fund}\ndata:\n  a: \"1\"\n  b: \"2\"\n");
        var v2 = kubectl.WriteFile("cm2.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  labels: {app: fund}\ndata:\n  a: \"1\"\n  c: \"3\"\n");

        Assert.Contains("configmap/settings created", await kubectl.OkAsync("apply", "-f", v1), StringComparison.Ordinal);
        Assert.Contains("configmap/settings configured", await kubectl.OkAsync("apply", "-f", v2), StringComparison.Ordinal);

        var cm = await cluster.CreateClient().CoreV1.ReadNamespacedConfigMapAsync("settings", Ns);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" }, cm.Data);
        Assert.DoesNotContain(cm.Metadata.Annotations.Keys, k => k.StartsWith('$'));
        Assert.Equal(1, cluster.Requests.Count("patch", "configmaps"));
    }

    [Fact]
    public async Task Chunked_get_label_delete_and_annotate()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        using var kubectl = new Kubectl(cluster);
        foreach (var n in new[] { "a", "b", "c", "d", "e" })
        {
            await client.CreateFund(Fund(n, labels: new() { ["batch"] = n is "b" or "d" ? "old" : "new" }));
        }

        var rows = (await kubectl.OkAsync("get", "indexfunds", "--chunk-size=2", "-o", "name")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, rows.Length);
        Assert.Equal(3, cluster.Requests.Count("list", Plural));

        Assert.Contains("annotated", await kubectl.OkAsync("annotate", "indexfund", "a", "note=hello"), StringComparison.Ordinal);
        Assert.Equal("hello", (await client.GetFund("a"))["metadata"]!["annotations"]!["note"]!.GetValue<string>());

        var deleted = await kubectl.OkAsync("delete", "indexfunds", "-l", "batch=old");
        Assert.Contains("\"b\" deleted", deleted, StringComparison.Ordinal);
        Assert.Contains("\"d\" deleted", deleted, StringComparison.Ordinal);
        var left = Node(await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Ver, Ns, Plural));
        Assert.Equal(["a", "c", "e"], left["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Apply_of_workload_manifests_with_additional_kinds()
    {
        await using var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions { AdditionalKinds = ResourceKind.CommonWorkloadKinds });
        using var kubectl = new Kubectl(cluster);

        var created = await kubectl.OkAsync("apply", "-f", Manifest("workload.yaml"));
        Assert.Contains("serviceaccount/operator created", created, StringComparison.Ordinal);
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/operator created", created, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/operator created", created, StringComparison.Ordinal);
        Assert.Contains("service/operator-metrics created", created, StringComparison.Ordinal);

        var scaled = kubectl.WriteFile("scaled.yaml", File.ReadAllText(Manifest("workload.yaml")).Replace("replicas: 1", "replicas: 2", StringComparison.Ordinal));
        var reapplied = await kubectl.OkAsync("apply", "-f", scaled);
        Assert.Contains("deployment.apps/operator configured", reapplied, StringComparison.Ordinal);
        Assert.Contains("serviceaccount/operator unchanged", reapplied, StringComparison.Ordinal);

        var deployment = await cluster.CreateClient().AppsV1.ReadNamespacedDeploymentAsync("operator", Ns);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(2, deployment.Metadata.Generation);
        Assert.Equal("cryptoindex/operator:1.0.0", Assert.Single(deployment.Spec.Template.Spec.Containers).Image);
        Assert.Matches(@"operator\s+\d{4}-\d\d-\d\dT", await kubectl.OkAsync("get", "deploy"));
    }

    private static Task WaitForWatch(LocalKubeCluster cluster, int count = 1) =>
        cluster.Requests.WaitForCountAsync(count, verb: "watch", resource: Plural, timeout: Guard);
}
