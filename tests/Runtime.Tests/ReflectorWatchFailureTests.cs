using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>A watch that fails (not one the server closes) backs off, however long the failed attempt took.</summary>
public sealed class ReflectorWatchFailureTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(false)] // refused: nothing listens, or a proxy has no backend
    [InlineData(true)] // answered, then the connection is cut before the first event
    public async Task A_watch_failing_after_a_while_backs_off_and_is_counted_and_a_server_close_resumes_at_once(bool broken)
    {
        await using var cluster = await Widgets.StartClusterAsync();
        await Widgets.CreateAsync(cluster.CreateClient(), "a", 1);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var failing = new FailingWatchHandler(time) { Remaining = 3, Broken = broken };
        using var client = cluster.CreateClient(failing);
        var metrics = new RuntimeMetrics();
        var controller = new Controller("widgets", client, Widgets.Type, new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)),
            new ControllerOptions { Reflector = new ReflectorOptions { BackoffJitter = 0 } }, metrics, time);
        var phases = new PhaseLog(controller.Reflector);
        using var stop = new CancellationTokenSource();
        var run = controller.RunCacheAsync(stop.Token);
        await phases.NextAsync(ReflectorPhase.Watching);

        // Each attempt fails 2 s after it started (past client-go's 1 s "very short watch"): still a failure, never a
        // normal close to reconnect from at once. client-go's schedule: 800 ms, 1.6 s, 3.2 s.
        foreach (var ms in new[] { 800, 1600, 3200 })
        {
            Assert.Equal((ReflectorPhase.BackingOff, TimeSpan.FromMilliseconds(ms)), await phases.NextAnyAsync());
            Assert.Equal(WatchEnd.Error, controller.Reflector.LastWatchEnd);
            time.Advance(TimeSpan.FromMilliseconds(ms));
            Assert.Equal(ReflectorPhase.Watching, (await phases.NextAnyAsync()).Phase);
        }

        await cluster.Requests.WaitForCountAsync(1, "watch");
        Assert.Equal(3, failing.Failures);

        // Healthy for longer than the backoff's reset period, then the server ends the quiet watch (its timeout): the
        // reflector resumes at once, and the next failure waits the initial 800 ms again.
        time.Advance(TimeSpan.FromMinutes(3));
        failing.Remaining = 1;
        Assert.Equal(1, cluster.Faults.CloseWatches("widgets"));
        Assert.Equal(ReflectorPhase.Watching, (await phases.NextAnyAsync()).Phase);
        Assert.Equal((ReflectorPhase.BackingOff, TimeSpan.FromMilliseconds(800)), await phases.NextAnyAsync());
        time.Advance(TimeSpan.FromMilliseconds(800));
        await cluster.Requests.WaitForCountAsync(2, "watch");
        await Widgets.SetSizeAsync(cluster.CreateClient(), "a", 2);
        await ReflectorTests.WaitUntil(() => controller.Cache.Get(new ObjectKey("default", "a")) is { } a && Widgets.Size(a) == 2);

        Assert.Equal(4, metrics.WatchRestarts.WithLabels("widgets", "error").Value);
        Assert.Equal(1, metrics.WatchRestarts.WithLabels("widgets", "closed").Value);
        var text = await metrics.ExportAsync();
        Assert.Contains("reflector_watch_restarts_total{controller=\"widgets\",reason=\"list_error\"} 0", text, StringComparison.Ordinal);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);
    }
}
