using System.Text.Json;
using CryptoIndex.Operator.Runtime.Events;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Tests.Support;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>
/// Recording is best effort: a failed Events call is dropped (logged, counted), never thrown at the reconciler, and a
/// slow one holds up nobody else. Only the caller's own cancellation is thrown. The API server runs on a fake clock
/// that the tests never advance, so a delayed request stays in flight until the client gives up on it.
/// </summary>
public sealed class EventRecorderFailureTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Forever = TimeSpan.FromDays(1);

    [Fact]
    public async Task An_events_call_that_times_out_is_dropped_and_counted_never_thrown()
    {
        var serverTime = new HoldSignal(new FakeTimeProvider(DateTimeOffset.UtcNow), Forever);
        await using var cluster = await Widgets.StartClusterAsync(serverTime);
        var client = cluster.CreateClient();
        var a = await CreateAsync(client, "a");
        var metrics = new RuntimeMetrics();
        // The recorder's client times out as HttpClient does, but on a clock of its own that only the test moves: a
        // slow machine cannot time out any other request, and the Events call times out exactly when the test says.
        var timeout = new ClientTimeout(TimeSpan.FromSeconds(10));
        var recorder = new EventRecorder(cluster.CreateClient(timeout), "widget-controller", new FakeTimeProvider(DateTimeOffset.UtcNow), host: "node-1", metrics: metrics);
        cluster.Faults.AddLatency(Forever, verb: "create", resource: "events");

        var recording = recorder.NormalAsync(a, "Synced", "all good");
        await serverTime.Holding.Task.WaitAsync(Guard); // the server has the Events create and holds it
        Assert.False(recording.IsCompleted);
        timeout.Clock.Advance(TimeSpan.FromSeconds(10));
        var thrown = await Record.ExceptionAsync(() => recording.WaitAsync(Guard));

        Assert.Null(thrown);
        Assert.Equal(1, metrics.EventsDropped.Value);
        Assert.Equal(0, cluster.Requests.Count("create", "events")); // the server never answered it

        // The recorder is not stuck: once the API answers again, the next event goes out.
        cluster.Faults.Clear();
        await recorder.NormalAsync(a, "Synced", "all good").WaitAsync(Guard);
        var synced = Assert.Single((await client.CoreV1.ListNamespacedEventAsync("default")).Items);
        Assert.Equal("Synced", synced.Reason);
        Assert.Equal(1, metrics.EventsDropped.Value);
    }

    [Fact]
    public async Task A_slow_events_call_holds_up_no_other_event_and_the_callers_cancellation_is_thrown()
    {
        var serverTime = new HoldSignal(new FakeTimeProvider(DateTimeOffset.UtcNow), Forever);
        await using var cluster = await Widgets.StartClusterAsync(serverTime);
        var client = cluster.CreateClient();
        var a = await CreateAsync(client, "a");
        var b = await CreateAsync(client, "b");
        var metrics = new RuntimeMetrics();
        var recorder = new EventRecorder(client, "widget-controller", new FakeTimeProvider(DateTimeOffset.UtcNow), host: "node-1", metrics: metrics);
        await recorder.NormalAsync(b, "Synced", "all good");

        // Creating Events now hangs (a slow API server); a's event waits on it, b's repeat is a patch and does not.
        cluster.Faults.AddLatency(Forever, verb: "create", resource: "events");
        using var cancel = new CancellationTokenSource();
        var slow = recorder.WarningAsync(a, "Failed", "price feed down", cancel.Token);
        await serverTime.Holding.Task.WaitAsync(Guard); // a's create has reached the server, which holds it
        await recorder.NormalAsync(b, "Synced", "all good").WaitAsync(Guard);
        Assert.False(slow.IsCompleted);
        var synced = Assert.Single((await client.CoreV1.ListNamespacedEventAsync("default")).Items);
        Assert.Equal(2, synced.Count);

        // A reconcile that is cancelled (leadership lost) is told so, and that is no dropped event.
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.WaitAsync(Guard));
        Assert.Equal(0, metrics.EventsDropped.Value);
    }

    [Fact]
    public async Task Writes_of_one_event_keep_their_order_while_others_go_ahead()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var gate = new CreateGate();
        var client = cluster.CreateClient(gate);
        var a = await CreateAsync(client, "a");
        var b = await CreateAsync(client, "b");
        var recorder = new EventRecorder(client, "widget-controller", new FakeTimeProvider(DateTimeOffset.UtcNow), host: "node-1");

        // a's first Event is being created; its repeat must wait for the name to patch, b's Event need not wait.
        var first = recorder.NormalAsync(a, "Synced", "all good");
        await gate.Entered.Task.WaitAsync(Guard);
        var repeat = recorder.NormalAsync(a, "Synced", "all good");
        await recorder.NormalAsync(b, "Synced", "all good").WaitAsync(Guard);
        Assert.False(repeat.IsCompleted);

        gate.Release.SetResult();
        await Task.WhenAll(first, repeat).WaitAsync(Guard);
        var events = (await client.CoreV1.ListNamespacedEventAsync("default")).Items;
        Assert.Equal(2, Assert.Single(events, e => e.InvolvedObject.Name == "a").Count); // one Event, patched; no duplicate
        Assert.Equal(1, Assert.Single(events, e => e.InvolvedObject.Name == "b").Count);
    }

    /// <summary>Holds the first Event create on the client until released (a slow call we can see in flight).</summary>
    private sealed class CreateGate : DelegatingHandler
    {
        private int _held;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/events", StringComparison.Ordinal) &&
                Interlocked.Exchange(ref _held, 1) == 0)
            {
                Entered.SetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>
    /// HttpClient's own timeout on a <see cref="FakeTimeProvider"/>: a request still unanswered when <see cref="Clock"/>
    /// has moved <c>timeout</c> past its start is cancelled and fails with the exception HttpClient.Timeout throws.
    /// </summary>
    private sealed class ClientTimeout(TimeSpan timeout) : DelegatingHandler
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var timedOut = new CancellationTokenSource(timeout, Clock);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timedOut.Token);
            try
            {
                return await base.SendAsync(request, linked.Token);
            }
            catch (OperationCanceledException e) when (timedOut.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TaskCanceledException($"The request was canceled due to the configured HttpClient.Timeout of {timeout.TotalSeconds} seconds elapsing.", new TimeoutException(e.Message, e));
            }
        }
    }

    /// <summary>The API server's clock: a <see cref="FakeTimeProvider"/> that tells when a timer of <c>hold</c> is
    /// started, i.e. when a request that the injected latency holds has reached the server.</summary>
    private sealed class HoldSignal(FakeTimeProvider time, TimeSpan hold) : TimeProvider
    {
        public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override long GetTimestamp() => time.GetTimestamp();

        public override long TimestampFrequency => time.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => time.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = time.CreateTimer(callback, state, dueTime, period);
            if (dueTime == hold)
            {
                Holding.TrySetResult();
            }

            return timer;
        }
    }

    private static async Task<KubeObject> CreateAsync(IKubernetes client, string name)
    {
        await Widgets.CreateAsync(client, name, 1);
        return KubeObject.From((JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(
            Widgets.Group, Widgets.Version, "default", Widgets.Plural, name));
    }
}
