using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Leader;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Tests.Support;
using CryptoIndex.LocalKube;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class ManagerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static readonly LeaderElectionOptions FastLease = Leases.Fast;

    private sealed class Instance : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _run = Task.CompletedTask;

        // identity null keeps the options' own (the default when they set none).
        public Instance(LocalKubeCluster cluster, string? identity, RecordingReconciler reconciler, ManagerOptions options, TimeProvider? time = null)
        {
            Metrics = new RuntimeMetrics();
            Reconciler = reconciler;
            var client = cluster.CreateClient();
            Manager = new Manager(client, identity is null ? options : options with { LeaderElection = options.LeaderElection with { Identity = identity } }, Metrics, time);
            Manager.Add(new Controller("widgets", client, Widgets.Type, reconciler, metrics: Metrics));
        }

        public Manager Manager { get; }

        public RuntimeMetrics Metrics { get; }

        public RecordingReconciler Reconciler { get; }

        public double LeaderGauge => Metrics.LeaderStatus.WithLabels("widgets-leader").Value;

        public Instance Start()
        {
            _run = Manager.RunAsync(_stop.Token);
            return this;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _run.WaitAsync(Guard);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            Manager.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Exactly_one_of_two_instances_reconciles_and_the_other_takes_over_within_the_lease_duration()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        var options = new ManagerOptions { LeaderElection = FastLease };
        await using var a = new Instance(cluster, "a", new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)), options).Start();
        await ReflectorTests.WaitUntil(() => a.Manager.IsLeader);
        await using var b = new Instance(cluster, "b", new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)), options).Start();
        await ReflectorTests.WaitUntil(() => b.Manager.IsReady);

        await Widgets.CreateAsync(client, "w1", 1);
        await Widgets.CreateAsync(client, "w2", 2);
        await a.Reconciler.NextAsync("w2");
        // The standby keeps its cache current but never reconciles.
        await ReflectorTests.WaitUntil(() => b.Manager.Controllers[0].Cache.Count == 2);
        Assert.Equal(0, b.Reconciler.Total);
        Assert.Equal(1, a.LeaderGauge);
        Assert.Equal(0, b.LeaderGauge);
        Assert.True(b.Manager.IsReady, "a standby is ready");

        // a hands the lease back as it stops, so b takes it at its next retry. Left to expire, the lease would last a
        // full duration from a's last renewal, which is no earlier than the one read here.
        var expiry = LastRenewal(await ReadLeaseAsync(cluster)) + FastLease.LeaseDuration;
        await a.StopAsync();
        await ReflectorTests.WaitUntil(() => b.Manager.IsLeader);
        Assert.True(DateTime.UtcNow < expiry, "b took over only once the lease expired: a did not release it");
        Assert.Equal(1, b.LeaderGauge);
        Assert.Equal(0, a.LeaderGauge);

        // The new leader reconciles everything it holds in its cache, and new changes.
        await ReflectorTests.WaitUntil(() => b.Reconciler.Count("w1") > 0 && b.Reconciler.Count("w2") > 0);
        var aTotal = a.Reconciler.Total;
        var bW1 = b.Reconciler.Count("w1");
        await Widgets.SetSizeAsync(client, "w1", 5);
        await ReflectorTests.WaitUntil(() => b.Reconciler.Count("w1") > bW1);
        Assert.Equal(aTotal, a.Reconciler.Total);
        Assert.Equal(0, a.Reconciler.Overlaps + b.Reconciler.Overlaps);
    }

    [Fact]
    public async Task Two_managers_with_the_default_identity_on_one_host_never_both_lead()
    {
        // One options object, no identity set: what two processes on one host (or hostNetwork pods on one node) run
        // with. They share a host name; the holder identity must still tell them apart.
        await using var cluster = await Widgets.StartClusterAsync();
        var options = new ManagerOptions { LeaderElection = FastLease };
        await using var a = new Instance(cluster, null, new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)), options).Start();
        await ReflectorTests.WaitUntil(() => a.Manager.IsLeader);
        await using var b = new Instance(cluster, null, new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)), options).Start();

        // b's first attempt either takes the lease (the same identity renews "its own" lease) or sees it held by a.
        await ReflectorTests.WaitUntil(() => b.Manager.IsLeader || (b.Manager.Leader is { } seen && seen != b.Manager.Identity));
        Assert.False(b.Manager.IsLeader, "both managers lead, as " + b.Manager.Identity);
        Assert.Equal(a.Manager.Identity, b.Manager.Leader);
        var lease = await cluster.CreateClient().CoordinationV1.ReadNamespacedLeaseAsync(FastLease.LeaseName, "default");
        Assert.Equal(a.Manager.Identity, lease.Spec.HolderIdentity);

        // b is a real standby: it takes over once a releases the lease.
        await a.StopAsync();
        await ReflectorTests.WaitUntil(() => b.Manager.IsLeader);
        Assert.Equal(0, a.LeaderGauge);
    }

    [Fact]
    public void The_default_identity_is_the_host_name_and_a_unique_suffix_and_an_explicit_one_is_kept()
    {
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }); // never called
        var options = new ManagerOptions { LeaderElection = FastLease };
        using var first = new Manager(client, options);
        using var second = new Manager(client, options);
        using var named = new Manager(client, options with { LeaderElection = FastLease with { Identity = "pod-7" } });

        Assert.StartsWith(Environment.MachineName + "_", first.Identity, StringComparison.Ordinal);
        Assert.StartsWith(Environment.MachineName + "_", second.Identity, StringComparison.Ordinal);
        Assert.NotEqual(first.Identity, second.Identity);
        Assert.Equal("pod-7", named.Identity);
    }

    [Fact]
    public async Task A_crashed_leader_is_replaced_once_its_lease_expires()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var options = new ManagerOptions { LeaderElection = FastLease with { ReleaseOnCancel = false } };
        await using var a = new Instance(cluster, "a", new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)), options).Start();
        await ReflectorTests.WaitUntil(() => a.Manager.IsLeader);
        await using var b = new Instance(cluster, "b", new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)), options).Start();
        await ReflectorTests.WaitUntil(() => b.Manager.IsReady);

        // "Crash": a stops renewing without giving the lease up; b must wait for expiry, then take over.
        await a.StopAsync();
        var lease = await ReadLeaseAsync(cluster);
        Assert.Equal("a", lease.Spec.HolderIdentity);
        Assert.False(b.Manager.IsLeader);
        var expiry = LastRenewal(lease) + FastLease.LeaseDuration;
        await ReflectorTests.WaitUntil(() => b.Manager.IsLeader);
        // Never before the lease expired (b counts the duration from when it saw the last renewal, which is no earlier),
        // and then at one of its next retries; the upper bound is generous, a loaded machine must not fail it.
        Assert.InRange(DateTime.UtcNow, expiry, expiry + TimeSpan.FromSeconds(5));
        Assert.Equal(1, b.LeaderGauge);
    }

    private static Task<k8s.Models.V1Lease> ReadLeaseAsync(LocalKubeCluster cluster) =>
        cluster.CreateClient().CoordinationV1.ReadNamespacedLeaseAsync(FastLease.LeaseName, "default");

    /// <summary>The holder's last renewal, on the wall clock the elector stamps it with (UTC).</summary>
    private static DateTime LastRenewal(k8s.Models.V1Lease lease) => lease.Spec.RenewTime!.Value.ToUniversalTime();

    [Fact]
    public async Task Losing_the_lease_cancels_in_flight_reconciles_and_stops_the_workers()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconciler = new RecordingReconciler(async (r, _, ct) =>
        {
            if (r.Key.Name == "slow")
            {
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }
                catch (OperationCanceledException)
                {
                    cancelled.TrySetResult();
                    throw;
                }
            }

            return ReconcileResult.Done;
        });
        await using var a = new Instance(cluster, "a", reconciler, new ManagerOptions { LeaderElection = FastLease }).Start();
        var lost = 0;
        a.Manager.LeadershipLost += () => Interlocked.Increment(ref lost);
        await ReflectorTests.WaitUntil(() => a.Manager.IsLeader);
        await Widgets.CreateAsync(client, "slow", 1);
        await ReflectorTests.WaitUntil(() => reconciler.Total > 0);
        Assert.Equal(0, lost);

        // Every lease renewal fails from now on: after the renew deadline the replica must stop working.
        cluster.Faults.FailNext(1000, 500, resource: "leases");
        await cancelled.Task.WaitAsync(Guard);
        await ReflectorTests.WaitUntil(() => lost == 1); // told, so it can drop what it reported as leader
        Assert.False(a.Manager.IsLeader);
        Assert.Equal(0, a.LeaderGauge);
        var total = reconciler.Total;
        await Widgets.CreateAsync(client, "other", 1);
        await ReflectorTests.WaitUntil(() => a.Manager.Controllers[0].Cache.Count == 2);
        Assert.Equal(total, reconciler.Total);
        Assert.Equal(0, (long)a.Metrics.ReconcileErrors.WithLabels("widgets").Value); // a cancelled reconcile is no error
    }

    [Fact]
    public async Task Graceful_shutdown_lets_in_flight_reconciles_finish_and_cancels_them_after_the_timeout()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "finishes", 1);
        await Widgets.CreateAsync(client, "hangs", 1);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var reconciler = new RecordingReconciler(async (r, _, ct) =>
        {
            try
            {
                if (r.Key.Name == "finishes")
                {
                    await release.Task; // ignores ct: finishes when released
                }
                else
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }

                outcomes[r.Key.Name] = "done";
            }
            catch (OperationCanceledException)
            {
                outcomes[r.Key.Name] = "cancelled";
                throw;
            }

            return ReconcileResult.Done;
        });
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new ManagerOptions
        {
            LeaderElection = new LeaderElectionOptions { Enabled = false },
            GracefulShutdownTimeout = TimeSpan.FromSeconds(30),
        };
        var metrics = new RuntimeMetrics();
        using var manager = new Manager(client, options, metrics, time);
        var grace = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        manager.GracePeriodStarted += grace.SetResult;
        manager.Add(new Controller("widgets", client, Widgets.Type, reconciler, new ControllerOptions { MaxConcurrentReconciles = 2 }, metrics));
        using var stop = new CancellationTokenSource();
        var run = manager.RunAsync(stop.Token);
        await ReflectorTests.WaitUntil(() => metrics.ActiveWorkers.WithLabels("widgets").Value == 2);
        Assert.True(manager.IsReady);

        await stop.CancelAsync();
        release.SetResult();
        await ReflectorTests.WaitUntil(() => outcomes.ContainsKey("finishes"));
        Assert.Equal("done", outcomes["finishes"]);
        await grace.Task.WaitAsync(Guard);
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.False(outcomes.ContainsKey("hangs"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        await run.WaitAsync(Guard);
        Assert.Equal("cancelled", outcomes["hangs"]);
        Assert.False(manager.IsAlive);
    }
}
