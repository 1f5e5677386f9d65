using System.Collections.Concurrent;
using System.Globalization;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class ReflectorTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Lists_then_watches_from_the_list_version_with_bookmarks_and_a_random_timeout()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        await Widgets.CreateAsync(client, "b", 2);
        var listVersion = cluster.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        cluster.Requests.Clear();

        var reflector = new Reflector(client, Widgets.Type);
        var events = new ConcurrentQueue<CacheEvent>();
        reflector.AddHandler(events.Enqueue);
        using var stop = new CancellationTokenSource();
        var run = reflector.RunAsync(stop.Token);
        await reflector.Cache.WaitForSyncAsync().WaitAsync(Guard);
        var watch = await cluster.Requests.WaitForAsync(r => r.Verb == "watch");

        Assert.Equal(2, reflector.Cache.Count);
        var query = System.Web.HttpUtility.ParseQueryString(watch.Query);
        Assert.Equal("true", query["allowWatchBookmarks"]);
        Assert.Equal(listVersion, query["resourceVersion"]);
        var timeout = int.Parse(query["timeoutSeconds"]!, CultureInfo.InvariantCulture);
        Assert.InRange(timeout, 300, 600);

        await Widgets.SetSizeAsync(client, "a", 5);
        await Widgets.DeleteAsync(client, "b");
        await Widgets.CreateAsync(client, "c", 3);
        // The cache holds an event's object before the handlers hear of it: wait for the handlers, then check both.
        await WaitUntil(() => events.Count >= 5);
        Assert.Equal(2, reflector.Cache.Count);
        Assert.NotNull(reflector.Cache.Get(new ObjectKey("default", "c")));
        Assert.Equal(5, Widgets.Size(reflector.Cache.Get(new ObjectKey("default", "a"))!));
        Assert.Equal(
            ["Added a", "Added b", "Updated a", "Deleted b", "Added c"],
            events.Select(e => e.Type + " " + e.New.Key.Name));
        Assert.Equal(1, reflector.Relists);

        await stop.CancelAsync();
        await run.WaitAsync(Guard);
    }

    [Fact]
    public async Task Silent_watch_is_cut_by_the_idle_timeout_and_an_expired_version_relists_with_synthetic_deletes()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        await Widgets.CreateAsync(client, "b", 2);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var reflector = new Reflector(client, Widgets.Type, time, new ReflectorOptions { Random = new Random(1) });
        var phases = new PhaseLog(reflector);
        var events = new ConcurrentQueue<CacheEvent>();
        reflector.AddHandler(events.Enqueue);
        using var stop = new CancellationTokenSource();
        var run = reflector.RunAsync(stop.Token);
        await phases.NextAsync(ReflectorPhase.Watching);
        await cluster.Requests.WaitForCountAsync(1, "watch");

        // The connection stays open but nothing arrives any more; meanwhile b goes and history is compacted.
        Assert.Equal(1, cluster.Faults.DropWatches("widgets"));
        await Widgets.DeleteAsync(client, "b");
        await Widgets.CreateAsync(client, "c", 3);
        cluster.Faults.CompactHistory();
        Assert.Equal(2, reflector.Cache.Count);
        Assert.Null(reflector.Cache.Get(new ObjectKey("default", "c")));

        // Default idle timeout: server timeout (random 300..600 s) + 5 s. One second before the shortest possible
        // one nothing has happened; past the longest possible one the silent watch must have been abandoned.
        time.Advance(TimeSpan.FromSeconds(304));
        Assert.Null(reflector.LastWatchEnd);
        time.Advance(TimeSpan.FromSeconds(605 - 304));
        var delay = await phases.NextAsync(ReflectorPhase.BackingOff);
        Assert.Equal(WatchEnd.IdleTimeout, reflector.LastWatchEnd);
        Assert.InRange(delay, TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1600));
        time.Advance(delay);

        // The resumed watch is too old (in-stream 410): back off, relist and diff.
        delay = await phases.SkipBackoffAsync(time);
        Assert.Equal(WatchEnd.Expired, reflector.LastWatchEnd);
        Assert.InRange(delay, TimeSpan.FromMilliseconds(1600), TimeSpan.FromMilliseconds(3200));
        await phases.NextAsync(ReflectorPhase.Listing);
        await phases.NextAsync(ReflectorPhase.Watching);
        Assert.Equal(2, reflector.Relists);
        Assert.Null(reflector.Cache.Get(new ObjectKey("default", "b")));
        Assert.NotNull(reflector.Cache.Get(new ObjectKey("default", "c")));
        var deleted = Assert.Single(events, e => e.Type == CacheEventType.Deleted);
        Assert.True(deleted.Synthetic);
        Assert.Equal("b", deleted.New.Key.Name);
        Assert.Contains(events, e => e.Type == CacheEventType.Added && e.New.Key.Name == "c");

        await stop.CancelAsync();
        await run.WaitAsync(Guard);
    }

    [Fact]
    public async Task Http_410_on_watch_relists_and_list_errors_back_off()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var reflector = new Reflector(client, Widgets.Type, time, new ReflectorOptions { BackoffJitter = 0 });
        var phases = new PhaseLog(reflector);
        cluster.Faults.FailNext(3, 503, verb: "list", resource: "widgets");
        using var stop = new CancellationTokenSource();
        var run = reflector.RunAsync(stop.Token);

        // Three failed lists: 800 ms, 1.6 s, 3.2 s, then the list succeeds.
        Assert.Equal(TimeSpan.FromMilliseconds(800), await phases.SkipBackoffAsync(time));
        Assert.Equal(TimeSpan.FromMilliseconds(1600), await phases.SkipBackoffAsync(time));
        Assert.Equal(TimeSpan.FromMilliseconds(3200), await phases.SkipBackoffAsync(time));
        await phases.NextAsync(ReflectorPhase.Watching);
        await reflector.Cache.WaitForSyncAsync().WaitAsync(Guard);
        await cluster.Requests.WaitForCountAsync(1, "watch");

        // The next watch is answered with an HTTP 410; after a healthy period the backoff starts over.
        time.Advance(TimeSpan.FromMinutes(3));
        cluster.Faults.FailNext(1, 410, verb: "watch", resource: "widgets");
        await Widgets.SetSizeAsync(client, "a", 2); // an event, so the closed watch counts as healthy
        await WaitUntil(() => reflector.Cache.Get(new ObjectKey("default", "a")) is { } a && Widgets.Size(a) == 2);
        cluster.Faults.CloseWatches("widgets");
        Assert.Equal(TimeSpan.FromMilliseconds(800), await phases.SkipBackoffAsync(time));
        Assert.Equal(WatchEnd.Expired, reflector.LastWatchEnd);
        await phases.NextAsync(ReflectorPhase.Listing);
        await phases.NextAsync(ReflectorPhase.Watching);
        Assert.Equal(2, reflector.Relists);

        await stop.CancelAsync();
        await run.WaitAsync(Guard);
    }

    [Fact]
    public async Task An_event_that_cannot_be_read_is_recovered_by_a_relist_not_skipped()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var plain = cluster.CreateClient();
        await Widgets.CreateAsync(plain, "a", 1);
        await Widgets.CreateAsync(plain, "b", 1);
        var corrupting = new CorruptingWatchHandler { Marker = "\"name\":\"a\"" };
        using var client = cluster.CreateClient(corrupting);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var reflector = new Reflector(client, Widgets.Type, time, new ReflectorOptions { BackoffJitter = 0 });
        var phases = new PhaseLog(reflector);
        using var stop = new CancellationTokenSource();
        var run = reflector.RunAsync(stop.Token);
        await reflector.Cache.WaitForSyncAsync().WaitAsync(Guard);
        await cluster.Requests.WaitForCountAsync(1, "watch");

        // a's change cannot be read from the stream: resuming after it would miss it for ever. The reflector ends the
        // watch at once (not when the server closes it) and relists.
        corrupting.Arm();
        await Widgets.SetSizeAsync(plain, "a", 2);
        await phases.SkipBackoffAsync(time);
        Assert.Equal(1, corrupting.Corrupted);
        Assert.Equal(WatchEnd.Undecodable, reflector.LastWatchEnd);
        await phases.NextAsync(ReflectorPhase.Listing);
        await WaitUntil(() => reflector.Cache.Get(new ObjectKey("default", "a")) is { } a && Widgets.Size(a) == 2);

        await stop.CancelAsync();
        await run.WaitAsync(Guard);
    }

    [Fact]
    public async Task A_controller_on_a_fast_clock_times_its_watches_on_the_api_servers_clock()
    {
        // The sandbox runs its controller 86,400 times faster than real time; its API server answers in real time.
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        var simulated = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var apiServer = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var controller = new Controller("widgets", client, Widgets.Type, new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)),
            new ControllerOptions { Reflector = new ReflectorOptions { Time = apiServer } }, time: simulated);
        using var stop = new CancellationTokenSource();
        var cache = controller.RunCacheAsync(stop.Token);
        await controller.Reflector.Cache.WaitForSyncAsync().WaitAsync(Guard);
        await cluster.Requests.WaitForCountAsync(1, "watch");

        simulated.Advance(TimeSpan.FromHours(1)); // far past any watch's idle timeout, on the wrong clock
        await Widgets.SetSizeAsync(client, "a", 2);
        await WaitUntil(() => controller.Reflector.Cache.Get(new ObjectKey("default", "a")) is { } a && Widgets.Size(a) == 2);
        Assert.Equal(1, controller.Reflector.Watches);

        apiServer.Advance(TimeSpan.FromMinutes(11)); // past it on the right one: the idle watch is given up and reopened
        await WaitUntil(() => controller.Reflector.LastWatchEnd == WatchEnd.IdleTimeout);

        await stop.CancelAsync();
        await cache.WaitAsync(Guard);
    }

    [Fact]
    public async Task Too_many_requests_waits_at_least_the_servers_retry_after()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var reflector = new Reflector(cluster.CreateClient(), Widgets.Type, time, new ReflectorOptions { BackoffJitter = 0 });
        var phases = new PhaseLog(reflector);
        cluster.Faults.FailNext(1, 429, verb: "list", resource: "widgets", retryAfter: TimeSpan.FromSeconds(7));
        using var stop = new CancellationTokenSource();
        var run = reflector.RunAsync(stop.Token);
        Assert.Equal(TimeSpan.FromSeconds(7), await phases.SkipBackoffAsync(time));
        await reflector.Cache.WaitForSyncAsync().WaitAsync(Guard);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);
    }

    [Fact]
    public async Task Resync_replays_every_cached_object_periodically()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        await Widgets.CreateAsync(client, "b", 1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var reflector = new Reflector(client, Widgets.Type, time, new ReflectorOptions { ResyncPeriod = TimeSpan.FromHours(10) });
        var resyncs = new ConcurrentQueue<CacheEvent>();
        reflector.AddHandler(e =>
        {
            if (e.Type == CacheEventType.Resync)
            {
                resyncs.Enqueue(e);
            }
        });
        using var stop = new CancellationTokenSource();
        var run = reflector.RunAsync(stop.Token);
        await reflector.Cache.WaitForSyncAsync().WaitAsync(Guard);
        time.Advance(TimeSpan.FromHours(10) - TimeSpan.FromSeconds(1));
        Assert.Empty(resyncs);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, resyncs.Count);
        await stop.CancelAsync();
        await run.WaitAsync(Guard);
    }

    [Fact]
    public void Reflector_backoff_doubles_from_800ms_to_30s_with_jitter_and_resets_after_a_healthy_period()
    {
        var time = new FakeTimeProvider();
        var plain = new ExponentialBackoff(TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(30), 2, 0, TimeSpan.FromMinutes(2), time);
        double[] expected = [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000];
        foreach (var ms in expected)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(ms), plain.Next());
            time.Advance(TimeSpan.FromSeconds(1));
        }

        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.FromMilliseconds(800), plain.Next());

        var jittered = new ExponentialBackoff(TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(30), 2, 1.0, TimeSpan.FromMinutes(2), time, new Random(7));
        var distinct = new HashSet<TimeSpan>();
        foreach (var ms in expected)
        {
            var d = jittered.Next();
            distinct.Add(d);
            Assert.InRange(d, TimeSpan.FromMilliseconds(ms), TimeSpan.FromMilliseconds(2 * ms));
        }

        Assert.True(distinct.Count > 1);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        // A failure guard only: the condition is driven by API traffic, not by time.
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(5);
        }
    }

    /// <summary><see cref="WaitUntil(Func{bool})"/> for a condition that must itself be awaited (an HTTP probe).</summary>
    internal static async Task WaitUntil(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(5);
        }
    }
}

/// <summary>How long a Status's <c>details.retryAfterSeconds</c> makes the reflector wait.</summary>
public sealed class ReflectorRetryAfterTests
{
    [Theory]
    [InlineData("""{"kind":"Status","code":429,"details":{"retryAfterSeconds":3}}""", 3)]
    [InlineData("""{"kind":"Status","code":429,"details":{"retryAfterSeconds":2147483647}}""", 600)] // capped, and no timer overflows
    [InlineData("""{"kind":"Status","code":429,"details":{"retryAfterSeconds":99999999999}}""", 600)] // beyond int32: capped, not thrown
    [InlineData("""{"kind":"Status","code":429,"details":{"retryAfterSeconds":1.5}}""", 0)] // not whole seconds: ignored, not thrown
    [InlineData("""{"kind":"Status","code":429,"details":{"retryAfterSeconds":-5}}""", 0)]
    [InlineData("""{"kind":"Status","code":429,"details":{}}""", 0)]
    [InlineData("""not json""", 0)]
    public void A_servers_retry_after_is_honoured_up_to_a_ceiling(string body, int expectedSeconds)
    {
        var error = new k8s.Autorest.HttpOperationException("Too Many Requests")
        {
            Response = new k8s.Autorest.HttpResponseMessageWrapper(new HttpResponseMessage(System.Net.HttpStatusCode.TooManyRequests), body),
        };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Reflector.RetryAfter(error));
        Assert.True(Reflector.MaxRetryAfter < CryptoIndex.Operator.Runtime.TimerLimits.MaxDelay);
    }
}
