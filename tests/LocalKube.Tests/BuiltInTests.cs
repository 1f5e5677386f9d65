using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Built-in kinds the operator touches: Namespaces, ConfigMaps, Secrets, Events (both APIs), Leases.</summary>
public sealed class BuiltInTests
{
    [Fact]
    public async Task Seeded_namespaces_exist_and_new_ones_are_Active()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();

        var created = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "demo" } });
        var all = await client.CoreV1.ListNamespaceAsync();

        Assert.Equal("Active", created.Status.Phase);
        Assert.Equal(["default", "demo", "kube-node-lease", "kube-public", "kube-system"], all.Items.Select(n => n.Metadata.Name));
    }

    [Fact]
    public async Task ConfigMaps_and_Secrets_allow_unconditional_update()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, Ns);
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, Data = new Dictionary<string, byte[]> { ["k"] = "v"u8.ToArray() } }, Ns);

        var cm = await client.CoreV1.ReplaceNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c" }, Data = new Dictionary<string, string> { ["a"] = "2" } }, "c", Ns);
        var secret = await client.CoreV1.ReadNamespacedSecretAsync("s", Ns);

        Assert.Equal("2", cm.Data["a"]);
        Assert.Equal("v"u8.ToArray(), secret.Data["k"]);
    }

    [Fact]
    public async Task Lease_requires_resourceVersion_on_update_creates_on_put_and_conflicts_when_stale()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var lease = new V1Lease { Metadata = new V1ObjectMeta { Name = "lock", NamespaceProperty = Ns }, Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 3 } };

        var created = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "lock", Ns);
        Assert.Equal("a", created.Spec.HolderIdentity);

        var (code, status) = await Fails(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "lock", Ns));
        Assert.Equal(422, code);
        Assert.Contains("must be specified for an update", status["message"]!.GetValue<string>(), StringComparison.Ordinal);

        created.Spec.HolderIdentity = "b";
        var renewed = await client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "lock", Ns);
        Assert.Equal("b", renewed.Spec.HolderIdentity);
        (code, _) = await Fails(() => client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "lock", Ns));
        Assert.Equal(409, code);
        (code, _) = await Fails(() => client.CoordinationV1.CreateNamespacedLeaseAsync(lease, Ns));
        Assert.Equal(409, code);
    }

    [Fact]
    public async Task Lease_duration_must_be_positive()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var lease = new V1Lease { Metadata = new V1ObjectMeta { Name = "lock", NamespaceProperty = Ns }, Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 0 } };

        var (code, status) = await Fails(() => client.CoordinationV1.CreateNamespacedLeaseAsync(lease, Ns));

        Assert.Equal(422, code);
        Assert.Contains("spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LeaderElector_with_LeaseLock_acquires_leadership()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var leaseLock = new LeaseLock(client, Ns, "operator-lock", "pod-a");
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(200),
        });
        var leading = new TaskCompletionSource();
        elector.OnStartedLeading += () => leading.TrySetResult();
        using var stop = new CancellationTokenSource();
        var run = elector.RunUntilLeadershipLostAsync(stop.Token);

        await leading.Task.WaitAsync(Guard);
        await stop.CancelAsync();
        try
        {
            await run.WaitAsync(Guard);
        }
        catch (OperationCanceledException)
        {
            // Either ending is fine: the elector stops when cancelled.
        }

        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("operator-lock", Ns);
        Assert.Equal("pod-a", lease.Spec.HolderIdentity);
        Assert.True(cluster.Requests.Count(verb: "create", resource: "leases") >= 1);
    }

    private static Corev1Event CoreEvent(string involvedName, string uid, string reason) => new()
    {
        Metadata = new V1ObjectMeta { GenerateName = involvedName + "." },
        InvolvedObject = new V1ObjectReference { ApiVersion = "finance.example.com/v1alpha1", Kind = "IndexFund", Name = involvedName, NamespaceProperty = Ns, Uid = uid },
        Reason = reason,
        Message = "message " + reason,
        Type = "Normal",
        Source = new V1EventSource { Component = "indexfund-operator" },
        Count = 1,
    };

    [Fact]
    public async Task Core_events_support_involvedObject_field_selectors_and_generateName()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var created = await client.CoreV1.CreateNamespacedEventAsync(CoreEvent("a", "uid-a", "One"), Ns);
        await client.CoreV1.CreateNamespacedEventAsync(CoreEvent("b", "uid-b", "Two"), Ns);

        var selected = await client.CoreV1.ListNamespacedEventAsync(Ns,
            fieldSelector: "involvedObject.name=a,involvedObject.namespace=default,involvedObject.kind=IndexFund,involvedObject.uid=uid-a");

        Assert.StartsWith("a.", created.Metadata.Name, StringComparison.Ordinal);
        Assert.Equal("One", Assert.Single(selected.Items).Reason);
        var byReason = await client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "reason=Two,source=indexfund-operator");
        Assert.Equal("b", Assert.Single(byReason.Items).InvolvedObject.Name);
    }

    [Fact]
    public async Task Core_event_with_a_foreign_involvedObject_namespace_is_invalid()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var ev = CoreEvent("a", "u", "R");
        ev.InvolvedObject.NamespaceProperty = "kube-system";

        var (code, _) = await Fails(() => client.CoreV1.CreateNamespacedEventAsync(ev, Ns));

        Assert.Equal(422, code);
    }

    [Fact]
    public async Task Core_event_about_a_cluster_scoped_object_lives_in_default_only()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var ev = CoreEvent("a", "u", "R");
        ev.InvolvedObject.NamespaceProperty = null;

        var (code, status) = await Fails(() => client.CoreV1.CreateNamespacedEventAsync(ev, "kube-system"));
        var created = await client.CoreV1.CreateNamespacedEventAsync(ev, Ns);

        Assert.Equal(422, code);
        Assert.Contains("involvedObject.namespace: Invalid value: \"\": does not match event.namespace", status["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(Ns, created.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task EventsV1_events_are_validated_and_visible_through_core_v1()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var ev = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "sp500." },
            EventTime = cluster.Now.UtcDateTime,
            Regarding = new V1ObjectReference { Kind = "IndexFund", Name = "sp500", NamespaceProperty = Ns, Uid = "u1" },
            Reason = "Rebalanced",
            Note = "weights updated",
            Type = "Normal",
            Action = "Rebalance",
            ReportingController = "finance.example.com/operator",
            ReportingInstance = "operator-0",
        };

        var created = await client.EventsV1.CreateNamespacedEventAsync(ev, Ns);
        var asCore = await client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "involvedObject.name=sp500");
        ev.Type = "Loud";
        var (code, _) = await Fails(() => client.EventsV1.CreateNamespacedEventAsync(ev, Ns));

        Assert.Equal("weights updated", created.Note);
        var core = Assert.Single(asCore.Items);
        Assert.Equal("weights updated", core.Message);
        Assert.Equal("finance.example.com/operator", core.ReportingComponent);
        Assert.Equal(422, code);
    }

    [Fact]
    public async Task Typed_event_watch_sees_new_events()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        var start = cluster.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var cts = new CancellationTokenSource(Guard);
        var stream = client.CoreV1.WatchListNamespacedEventAsync(Ns, resourceVersion: start, cancellationToken: cts.Token);
        var first = Task.Run(async () =>
        {
            await foreach (var (type, ev) in stream)
            {
                return (type, ev);
            }

            throw new InvalidOperationException("watch ended");
        });

        await client.CoreV1.CreateNamespacedEventAsync(CoreEvent("a", "u", "Hello"), Ns);

        var (eventType, received) = await first;
        Assert.Equal(WatchEventType.Added, eventType);
        Assert.Equal("Hello", received.Reason);
    }

    [Fact]
    public async Task Additional_kinds_are_served_with_generation_and_status_split()
    {
        await using var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions { AdditionalKinds = ResourceKind.CommonWorkloadKinds });
        var client = cluster.CreateClient();
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "web", Image = "nginx" }] },
                },
            },
            Status = new V1DeploymentStatus { Replicas = 9 },
        };

        var created = await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Ns);
        var status = await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch("""{"status":{"readyReplicas":1},"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "web", Ns);
        var scaled = await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.StrategicMergePatch), "web", Ns);

        Assert.Null(created.Status);
        Assert.Equal((1, 1, 1L), (status.Status.ReadyReplicas, status.Spec.Replicas, status.Metadata.Generation));
        Assert.Equal((3, 2L, 1), (scaled.Spec.Replicas, scaled.Metadata.Generation, scaled.Status.ReadyReplicas));
        var (_, apps, _) = await cluster.SendAsync(HttpMethod.Get, "/apis/apps/v1");
        Assert.Contains(apps["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "deployments/status");
    }
}
