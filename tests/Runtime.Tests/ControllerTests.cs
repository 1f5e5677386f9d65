using System.Text.Json.Nodes;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Status;
using CryptoIndex.Operator.Runtime.Tests.Support;
using CryptoIndex.LocalKube;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class ControllerTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    /// <summary>A controller on a fake clock against a LocalKube (real HTTP); disposed with the test.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private Task _cache = Task.CompletedTask;
        private Task _workers = Task.CompletedTask;

        private Controller? _controller;

        private Harness(LocalKubeCluster cluster, RecordingReconciler reconciler)
        {
            Cluster = cluster;
            Reconciler = reconciler;
        }

        public LocalKubeCluster Cluster { get; }

        public RecordingReconciler Reconciler { get; }

        public RuntimeMetrics Metrics { get; } = new();

        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public StatusWriter Status => new(Cluster.CreateClient(), Widgets.Type, "runtime-tests");

        public static async Task<Harness> StartAsync(Func<Harness, ReconcileRequest, int, CancellationToken, Task<ReconcileResult>> body,
            Func<Harness, Task>? seed = null, ControllerOptions? options = null)
        {
            var cluster = await Widgets.StartClusterAsync();
            Harness? self = null;
            var reconciler = new RecordingReconciler((r, n, ct) => body(self!, r, n, ct));
            self = new Harness(cluster, reconciler);
            if (seed is not null)
            {
                await seed(self);
            }

            return self.Start(options);
        }

        public long Counter(string result) => (long)Metrics.ReconcileTotal.WithLabels("widgets", result).Value;

        /// <summary>Waits for the next reconcile of <paramref name="name"/> and for the controller to finish handling
        /// its result (requeue, metrics): the reconciler returns before the controller acts on what it returned.</summary>
        public async Task ReconciledAsync(string name)
        {
            await Reconciler.NextAsync(name);
            await WaitUntil(() => new[] { "success", "error", "requeue", "requeue_after" }.Sum(Counter) >= Reconciler.Total);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_cache, _workers).WaitAsync(Guard);
            await Cluster.DisposeAsync();
            _stop.Dispose();
        }

        private Harness Start(ControllerOptions? options)
        {
            var controller = new Controller("widgets", Cluster.CreateClient(), Widgets.Type, Reconciler, options, Metrics, Time);
            _controller = controller;
            _cache = controller.RunCacheAsync(_stop.Token);
            _workers = controller.RunWorkersAsync(_stop.Token, _stop.Token);
            return this;
        }

        public Controller Running => _controller!;
    }

    [Fact]
    public async Task Errors_retry_with_client_go_backoff_and_success_forgets_it()
    {
        await using var h = await Harness.StartAsync(
            (_, _, n, _) => n <= 3 ? throw new InvalidOperationException("boom " + n) : Task.FromResult(ReconcileResult.Done),
            seed: h => Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1));
        var queue = h.Running.Queue;
        var key = new ObjectKey("default", "a");

        await h.ReconciledAsync("a");
        await WaitUntil(() => queue.DelayedCount == 1);
        Assert.Equal(1, queue.NumRequeues(key));
        h.Time.Advance(TimeSpan.FromMilliseconds(4));
        Assert.Equal(1, h.Reconciler.Count("a"));
        h.Time.Advance(TimeSpan.FromMilliseconds(1)); // 5 ms
        await h.ReconciledAsync("a");
        await WaitUntil(() => queue.DelayedCount == 1);
        h.Time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.Equal(2, h.Reconciler.Count("a"));
        h.Time.Advance(TimeSpan.FromMilliseconds(1)); // 10 ms
        await h.ReconciledAsync("a");
        await WaitUntil(() => queue.DelayedCount == 1);
        h.Time.Advance(TimeSpan.FromMilliseconds(20));
        await h.ReconciledAsync("a");
        await WaitUntil(() => queue.NumRequeues(key) == 0);

        Assert.Equal(4, h.Reconciler.Count("a"));
        await WaitUntil(() => h.Counter("success") == 1); // results are counted just after the reconciler returns
        Assert.Equal(3, h.Counter("error"));
        Assert.Equal(3, (long)h.Metrics.ReconcileErrors.WithLabels("widgets").Value);
    }

    [Fact]
    public async Task Terminal_error_is_not_retried()
    {
        await using var h = await Harness.StartAsync(
            (_, _, _, _) => throw new TerminalException("invalid spec"),
            seed: h => Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1));
        await h.ReconciledAsync("a");
        // Far beyond any backoff for one failure, yet below the reflector's idle timeout (which shares the clock).
        h.Time.Advance(TimeSpan.FromSeconds(250));
        Assert.Equal(0, h.Running.Queue.DelayedCount);
        Assert.Equal(0, h.Running.Queue.NumRequeues(new ObjectKey("default", "a")));
        Assert.Equal(1, h.Reconciler.Count("a"));
        Assert.Equal(1, (long)h.Metrics.TerminalReconcileErrors.WithLabels("widgets").Value);

        // A spec change brings it back.
        await Widgets.SetSizeAsync(h.Cluster.CreateClient(), "a", 2);
        await h.ReconciledAsync("a");
        Assert.Equal(2, h.Reconciler.Count("a"));
    }

    [Fact]
    public async Task A_reconcile_that_hangs_is_cancelled_at_the_timeout_and_its_key_retried_with_backoff()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;
        var ended = false;
        await using var h = await Harness.StartAsync(
            async (_, _, n, ct) =>
            {
                if (n == 1)
                {
                    // An API call that never answers (the client's own timeout is 100 s): only the token ends it.
                    entered.SetResult();
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                    }
                    finally
                    {
                        cancelled = ct.IsCancellationRequested;
                        Volatile.Write(ref ended, true);
                    }
                }

                return ReconcileResult.Done;
            },
            seed: h => Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1),
            options: new ControllerOptions { ReconcileTimeout = TimeSpan.FromSeconds(30) });
        await entered.Task.WaitAsync(Guard);

        h.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(Volatile.Read(ref ended));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.ReconciledAsync("a");
        Assert.True(cancelled);
        await WaitUntil(() => h.Running.Queue.DelayedCount == 1);
        Assert.Equal(1, h.Running.Queue.NumRequeues(new ObjectKey("default", "a")));
        Assert.Equal(1, h.Counter("error"));
        Assert.Equal(1, (long)h.Metrics.ReconcileErrors.WithLabels("widgets").Value);
        Assert.Equal(1, (long)h.Metrics.ReconcileTimeouts.WithLabels("widgets").Value);

        h.Time.Advance(TimeSpan.FromMilliseconds(5)); // the first per-item backoff
        await h.ReconciledAsync("a");
        await WaitUntil(() => h.Counter("success") == 1);
        Assert.Equal(2, h.Reconciler.Count("a"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_reconcile_timeout_must_be_positive(int seconds)
    {
        var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Controller("widgets", client, Widgets.Type,
            new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)),
            new ControllerOptions { ReconcileTimeout = TimeSpan.FromSeconds(seconds) }));
    }

    [Fact]
    public async Task Requeue_after_survives_a_status_update_in_the_same_reconcile()
    {
        await using var h = await Harness.StartAsync(
            async (h, r, n, ct) =>
            {
                var obj = r.Current!;
                await h.Status.WriteAsync(obj, new JsonObject { ["observedGeneration"] = obj.Generation, ["runs"] = n }, ct);
                return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(30));
            },
            seed: h => Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1));
        await h.ReconciledAsync("a");
        await WaitUntil(() => h.Running.Cache.Get(new ObjectKey("default", "a"))?.Status.ValueKind == System.Text.Json.JsonValueKind.Object);

        await WaitUntil(() => h.Running.Queue.DelayedCount == 1); // the requeue is scheduled before time moves
        h.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(1, h.Reconciler.Count("a"));
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.ReconciledAsync("a");
        Assert.Equal(2, h.Reconciler.Count("a"));
        await WaitUntil(() => h.Running.Queue.DelayedCount == 1);
        // The next run writes from the cache: let it see this run's status first (else a 409, a quiet requeue).
        await WaitUntil(() => h.Running.Cache.Get(new ObjectKey("default", "a")) is { Status: { ValueKind: System.Text.Json.JsonValueKind.Object } st }
            && st.TryGetProperty("runs", out var runs) && runs.GetInt32() == 2);
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.ReconciledAsync("a");
        // The result is counted after the reconciler returns, which is when ReconciledAsync completes: wait for it.
        await WaitUntil(() => h.Counter("requeue_after") == 3);
        Assert.Equal(3, h.Reconciler.Count("a"));
    }

    [Fact]
    public async Task Requeue_after_survives_when_the_status_update_event_itself_requeues_the_key()
    {
        // Every event passes: the status write's own MODIFIED event re-adds the key (maybe while it is still being
        // processed). That extra run must not cancel the pending timed requeue (KubeOps #554).
        await using var h = await Harness.StartAsync(
            async (h, r, _, ct) =>
            {
                var obj = r.Current!;
                await h.Status.WriteAsync(obj, new JsonObject { ["observedGeneration"] = obj.Generation }, ct);
                return ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(30));
            },
            seed: h => Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1),
            options: new ControllerOptions { Predicate = _ => true });
        await h.ReconciledAsync("a"); // writes status
        await h.ReconciledAsync("a"); // triggered by that write; nothing to write
        Assert.Equal(1, h.Cluster.Requests.Count("patch", "widgets/status"));
        await WaitUntil(() => h.Running.Queue.DelayedCount == 1);

        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.ReconciledAsync("a");
        Assert.Equal(3, h.Reconciler.Count("a"));
        await WaitUntil(() => h.Counter("requeue_after") == 3);
    }

    [Fact]
    public async Task Status_writer_skips_unchanged_status_and_a_conflict_requeues_quietly()
    {
        await using var h = await Harness.StartAsync(
            async (h, r, _, ct) =>
            {
                var obj = r.Current!;
                await h.Status.WriteAsync(obj, new JsonObject { ["size"] = Widgets.Size(obj), ["observedGeneration"] = obj.Generation }, ct);
                return ReconcileResult.Done;
            },
            seed: h =>
            {
                h.Cluster.Faults.FailNext(1, 409, verb: "patch", resource: "widgets/status");
                return Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1);
            });

        await h.ReconciledAsync("a"); // 409
        await WaitUntil(() => h.Counter("requeue") == 1);
        Assert.Equal(0, (long)h.Metrics.ReconcileErrors.WithLabels("widgets").Value);
        h.Time.Advance(TimeSpan.FromMilliseconds(5));
        await h.ReconciledAsync("a"); // written
        await WaitUntil(() => h.Counter("success") == 1);
        await WaitUntil(() => h.Running.Cache.Get(new ObjectKey("default", "a"))?.Status.ValueKind == System.Text.Json.JsonValueKind.Object);
        Assert.Equal(1, h.Cluster.Requests.Count("patch", "widgets/status") - 1);

        // A reconcile with nothing to change writes nothing.
        await Widgets.AnnotateAsync(h.Cluster.CreateClient(), "a", Predicates.DefaultRequestedAtAnnotation, "now");
        await h.ReconciledAsync("a");
        Assert.Equal(2, h.Cluster.Requests.Count("patch", "widgets/status"));

        // A stale resourceVersion is refused by the server and surfaces as a conflict.
        var stale = h.Running.Cache.Get(new ObjectKey("default", "a"))!;
        await Widgets.SetSizeAsync(h.Cluster.CreateClient(), "a", 9);
        await Assert.ThrowsAsync<ConflictException>(() => h.Status.WriteAsync(stale, new JsonObject { ["size"] = 100 }));
    }

    [Fact]
    public async Task Only_generation_changes_and_requested_reconciles_pass_the_default_predicate()
    {
        await using var h = await Harness.StartAsync(
            (_, _, _, _) => Task.FromResult(ReconcileResult.Done),
            seed: h => Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1));
        var client = h.Cluster.CreateClient();
        await h.ReconciledAsync("a");

        // Label and status changes are filtered; a spec change passes; the on-demand annotation passes.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new k8s.Models.V1Patch("""{"metadata":{"labels":{"x":"y"}}}""", k8s.Models.V1Patch.PatchType.MergePatch),
            Widgets.Group, Widgets.Version, "default", Widgets.Plural, "a");
        await WaitUntil(() => h.Running.Cache.Get(new ObjectKey("default", "a"))!.Json.GetProperty("metadata").TryGetProperty("labels", out _));
        await h.Status.WriteAsync(h.Running.Cache.Get(new ObjectKey("default", "a"))!, new JsonObject { ["x"] = 1 });
        await WaitUntil(() => h.Running.Cache.Get(new ObjectKey("default", "a"))!.Status.ValueKind == System.Text.Json.JsonValueKind.Object);
        await Widgets.SetSizeAsync(client, "a", 2);
        await h.ReconciledAsync("a");
        Assert.Equal(2, h.Reconciler.Count("a"));
        await Widgets.AnnotateAsync(client, "a", Predicates.DefaultRequestedAtAnnotation, "2026-11-26T06:00:00Z");
        await h.ReconciledAsync("a");
        Assert.Equal(3, h.Reconciler.Count("a"));

        // Deletion reaches the reconciler with no object in the cache.
        await Widgets.DeleteAsync(client, "a");
        await h.ReconciledAsync("a");
        Assert.Equal(4, h.Reconciler.Count("a"));
        Assert.Null(h.Running.Cache.Get(new ObjectKey("default", "a")));
    }

    [Fact]
    public async Task Metrics_use_controller_runtime_names()
    {
        await using var h = await Harness.StartAsync(
            (_, _, _, _) => Task.FromResult(ReconcileResult.Done),
            seed: h => Widgets.CreateAsync(h.Cluster.CreateClient(), "a", 1),
            options: new ControllerOptions { MaxConcurrentReconciles = 3 });
        await h.ReconciledAsync("a");
        var text = await h.Metrics.ExportAsync();
        Assert.Contains("controller_runtime_reconcile_total{controller=\"widgets\",result=\"success\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_max_concurrent_reconciles{controller=\"widgets\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_active_workers{controller=\"widgets\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_reconcile_time_seconds_bucket{controller=\"widgets\",le=\"0.005\"}", text, StringComparison.Ordinal);
        Assert.Contains("workqueue_adds_total{name=\"widgets\",controller=\"widgets\"}", text, StringComparison.Ordinal);
        // Like controller-runtime, every series exists from the start, so rate() and alerts work before the first error.
        Assert.Contains("controller_runtime_reconcile_errors_total{controller=\"widgets\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_terminal_reconcile_errors_total{controller=\"widgets\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("workqueue_retries_total{name=\"widgets\",controller=\"widgets\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_reconcile_timeouts_total{controller=\"widgets\"} 0", text, StringComparison.Ordinal);
        foreach (var name in new[]
                 {
                     "workqueue_depth", "workqueue_queue_duration_seconds", "workqueue_work_duration_seconds",
                     "workqueue_unfinished_work_seconds", "workqueue_longest_running_processor_seconds", "workqueue_retries_total",
                     "controller_runtime_reconcile_errors_total", "controller_runtime_terminal_reconcile_errors_total",
                 })
        {
            Assert.Contains("# TYPE " + name + " ", text, StringComparison.Ordinal);
        }
    }

    internal static Task WaitUntil(Func<bool> condition) => ReflectorTests.WaitUntil(condition);
}
