using System.Collections.Concurrent;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>
/// An object deleted and created again under the same name is another object (another UID). When the cache only sees
/// the result (a relist after the watch was down), it must still report the delete of the old one and the add of the
/// new one: as an update both are generation 1, and the default predicate drops it.
/// </summary>
public sealed class RecreatedObjectTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task An_object_recreated_while_the_watch_was_down_is_reconciled_and_its_old_self_deleted()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var seen = new ConcurrentQueue<string?>(); // the UID each reconcile of a found in the cache
        var reconciler = new RecordingReconciler((r, _, _) =>
        {
            seen.Enqueue(r.Current?.Uid);
            return Task.FromResult(ReconcileResult.Done);
        });
        var controller = new Controller("widgets", client, Widgets.Type, reconciler,
            new ControllerOptions { Reflector = new ReflectorOptions { Random = new Random(1) } }, new RuntimeMetrics(), time);
        var events = new ConcurrentQueue<CacheEvent>();
        controller.Reflector.AddHandler(events.Enqueue);
        var phases = new PhaseLog(controller.Reflector);
        using var stop = new CancellationTokenSource();
        var cache = controller.RunCacheAsync(stop.Token);
        var workers = controller.RunWorkersAsync(stop.Token, stop.Token);
        await phases.NextAsync(ReflectorPhase.Watching);
        await cluster.Requests.WaitForCountAsync(1, "watch");
        await reconciler.NextAsync("a");
        var oldUid = controller.Cache.Get(new ObjectKey("default", "a"))!.Uid;

        // The watch goes silent; meanwhile a is deleted and created again (generation 1 again), and history is lost.
        Assert.Equal(1, cluster.Faults.DropWatches("widgets"));
        await Widgets.DeleteAsync(client, "a");
        await Widgets.CreateAsync(client, "a", 1);
        cluster.Faults.CompactHistory();
        events.Clear();

        // Past the longest idle timeout (600 + 5 s): the watch is abandoned, resumed into a 410, and the cache relists.
        time.Advance(TimeSpan.FromSeconds(606));
        await phases.SkipBackoffAsync(time);
        await phases.SkipBackoffAsync(time);
        Assert.Equal(WatchEnd.Expired, controller.Reflector.LastWatchEnd);
        await phases.NextAsync(ReflectorPhase.Listing);
        await phases.NextAsync(ReflectorPhase.Watching);

        var newUid = controller.Cache.Get(new ObjectKey("default", "a"))!.Uid;
        Assert.NotEqual(oldUid, newUid);
        Assert.Equal(
            [(CacheEventType.Deleted, oldUid, true), (CacheEventType.Added, newUid, false)],
            events.Select(e => (e.Type, e.New.Uid, e.Synthetic)));
        await reconciler.NextAsync("a");
        // The delete and the add may each hand a a worker (the key can be taken between them); every reconcile since
        // the relist finds the new object.
        var uids = seen.ToList();
        Assert.Equal(oldUid, uids[0]);
        Assert.True(uids.Count >= 2);
        Assert.All(uids.Skip(1), uid => Assert.Equal(newUid, uid));

        await stop.CancelAsync();
        await Task.WhenAll(cache, workers).WaitAsync(Guard);
    }

    [Fact]
    public void A_new_uid_under_a_cached_name_is_a_delete_and_an_add_on_a_watch_event_and_on_a_relist()
    {
        var cache = new ObjectCache();
        var first = Widget("a", "uid-1", "10");
        var second = Widget("a", "uid-2", "20");
        var third = Widget("a", "uid-3", "30");
        cache.Upsert(first);

        var watched = cache.Upsert(second);
        Assert.Equal(
            [(CacheEventType.Deleted, "uid-1", "uid-1", true), (CacheEventType.Added, null, "uid-2", false)],
            watched.Select(e => (e.Type, e.Old?.Uid, e.New.Uid, e.Synthetic)));
        Assert.Equal("uid-2", cache.Get(second.Key)!.Uid);

        var relisted = cache.Replace([third]);
        Assert.Equal(
            [(CacheEventType.Deleted, "uid-2", "uid-2", true), (CacheEventType.Added, null, "uid-3", false)],
            relisted.Select(e => (e.Type, e.Old?.Uid, e.New.Uid, e.Synthetic)));

        // The same object at a new version is still one update, and the same version nothing at all.
        var updated = Widget("a", "uid-3", "31");
        Assert.Equal([CacheEventType.Updated], cache.Upsert(updated).Select(e => e.Type));
        Assert.Empty(cache.Upsert(updated));
        Assert.Empty(cache.Replace([updated]));
    }

    private static KubeObject Widget(string name, string uid, string resourceVersion) => KubeObject.Parse(
        $$$"""{"apiVersion":"test.cryptoindex.io/v1","kind":"Widget","metadata":{"name":"{{{name}}}","namespace":"default","uid":"{{{uid}}}","resourceVersion":"{{{resourceVersion}}}","generation":1}}""");
}
