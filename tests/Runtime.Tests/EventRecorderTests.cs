using CryptoIndex.Operator.Runtime.Events;
using CryptoIndex.Operator.Runtime.Tests.Support;
using k8s;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class EventRecorderTests
{
    [Fact]
    public async Task Repeated_events_are_deduplicated_with_count_and_last_timestamp()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        var obj = KubeObject.From((System.Text.Json.JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(
            Widgets.Group, Widgets.Version, "default", Widgets.Plural, "a"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(client, "widget-controller", time, host: "node-1");
        cluster.Requests.Clear();

        await recorder.NormalAsync(obj, "Synced", "all good");
        time.Advance(TimeSpan.FromSeconds(30));
        await recorder.NormalAsync(obj, "Synced", "all good");
        time.Advance(TimeSpan.FromSeconds(30));
        await recorder.NormalAsync(obj, "Synced", "all good");
        await recorder.WarningAsync(obj, "Failed", "price feed down");

        Assert.Equal(2, cluster.Requests.Count("create", "events"));
        Assert.Equal(2, cluster.Requests.Count("patch", "events"));
        var events = await client.CoreV1.ListNamespacedEventAsync("default");
        var synced = Assert.Single(events.Items, e => e.Reason == "Synced");
        Assert.Equal(3, synced.Count);
        Assert.Equal(new DateTime(2026, 11, 26, 6, 0, 0, DateTimeKind.Utc), synced.FirstTimestamp);
        Assert.Equal(new DateTime(2026, 11, 26, 6, 1, 0, DateTimeKind.Utc), synced.LastTimestamp);
        Assert.Equal("Normal", synced.Type);
        Assert.Equal("Widget", synced.InvolvedObject.Kind);
        Assert.Equal("a", synced.InvolvedObject.Name);
        Assert.Equal(obj.Uid, synced.InvolvedObject.Uid);
        Assert.Equal("widget-controller", synced.Source.Component);
        var failed = Assert.Single(events.Items, e => e.Reason == "Failed");
        Assert.Equal("Warning", failed.Type);
        Assert.Equal(1, failed.Count);

        // The event expired on the server: the next repeat creates a fresh one instead of failing.
        await client.CoreV1.DeleteNamespacedEventAsync(synced.Metadata.Name, "default");
        await recorder.NormalAsync(obj, "Synced", "all good");
        events = await client.CoreV1.ListNamespacedEventAsync("default");
        Assert.Equal(1, Assert.Single(events.Items, e => e.Reason == "Synced").Count);
        Assert.Equal(3, cluster.Requests.Count("create", "events"));
    }

    [Fact]
    public async Task Ten_distinct_messages_of_one_reason_are_combined_and_spam_is_dropped_per_reason()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var client = cluster.CreateClient();
        await Widgets.CreateAsync(client, "a", 1);
        var obj = KubeObject.From((System.Text.Json.JsonElement)await client.CustomObjects.GetNamespacedCustomObjectAsync(
            Widgets.Group, Widgets.Version, "default", Widgets.Plural, "a"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero));
        var recorder = new EventRecorder(client, "widget-controller", time, host: "node-1");
        cluster.Requests.Clear();

        // Messages 1..9 are distinct events; from the 10th on they fold into one "combined" event.
        for (var i = 1; i <= 12; i++)
        {
            await recorder.WarningAsync(obj, "PriceMissing", "asset " + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var events = (await client.CoreV1.ListNamespacedEventAsync("default")).Items;
        Assert.Equal(10, events.Count);
        var combined = Assert.Single(events, e => e.Message.StartsWith("(combined from similar events): ", StringComparison.Ordinal));
        Assert.Equal(3, combined.Count);
        Assert.Equal("(combined from similar events): asset 12", combined.Message);

        // The spam filter lets 25 of a reason through per object, then one per 5 minutes; other reasons keep theirs.
        for (var i = 0; i < 30; i++)
        {
            await recorder.NormalAsync(obj, "Synced", "ok");
        }

        Assert.Equal(10 + 1, cluster.Requests.Count("create", "events"));
        Assert.Equal(2 + 24, cluster.Requests.Count("patch", "events")); // 25 Synced: one create, 24 patches
        await recorder.NormalAsync(obj, "RebalanceCompleted", "rebalance 2 done");
        Assert.Equal(10 + 2, cluster.Requests.Count("create", "events"));
        time.Advance(TimeSpan.FromMinutes(5));
        await recorder.NormalAsync(obj, "Synced", "ok");
        await recorder.NormalAsync(obj, "Synced", "ok");
        Assert.Equal(2 + 25, cluster.Requests.Count("patch", "events"));
        var synced = Assert.Single((await client.CoreV1.ListNamespacedEventAsync("default")).Items, e => e.Reason == "Synced");
        // One token came back: the first of the two went out and its count includes what the filter held back.
        Assert.Equal(31, synced.Count);
    }
}
