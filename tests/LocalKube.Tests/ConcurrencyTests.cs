using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using static CryptoIndex.LocalKube.Tests.TestSupport;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Many clients at once: optimistic concurrency loses no update, watches see every change in order.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Parallel_read_modify_write_loops_lose_no_update()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        await client.CreateFund(Fund("counter", replicas: 0));
        const int writers = 4, increments = 15;

        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            using var own = cluster.CreateClient();
            for (var i = 0; i < increments; i++)
            {
                while (true)
                {
                    var current = await own.GetFund("counter");
                    current["spec"]!["replicas"] = current["spec"]!["replicas"]!.GetValue<int>() + 1;
                    try
                    {
                        await own.CustomObjects.ReplaceNamespacedCustomObjectAsync(current, Group, Ver, Ns, Plural, "counter");
                        break;
                    }
                    catch (HttpOperationException e) when ((int)e.Response.StatusCode == 409)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        })));

        var final = await client.GetFund("counter");
        Assert.Equal(writers * increments, final["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1 + (writers * increments), Generation(final));
        Assert.Equal(writers * increments, cluster.Requests.Count("update", Plural, "counter") - conflicts);
    }

    [Fact]
    public async Task A_watch_sees_every_parallel_change_once_in_resourceVersion_order()
    {
        var (cluster, client) = await StartWithCrdAsync();
        await using var lifetime = cluster;
        const int objects = 4, patches = 10;
        for (var o = 0; o < objects; o++)
        {
            await client.CreateFund(Fund("f" + o.ToString(CultureInfo.InvariantCulture)));
        }

        await using var watch = WatchRecorder.Funds(client, resourceVersion: cluster.ResourceVersion.ToString(CultureInfo.InvariantCulture));
        await Task.WhenAll(Enumerable.Range(0, objects).Select(o => Task.Run(async () =>
        {
            using var own = cluster.CreateClient();
            // Replicas start at the schema default 1: patching to 1 would be a no-op without an event.
            for (var p = 2; p <= patches + 1; p++)
            {
                await own.MergeFund("f" + o.ToString(CultureInfo.InvariantCulture), "{\"spec\":{\"replicas\":" + p.ToString(CultureInfo.InvariantCulture) + "}}");
            }
        })));

        var received = new List<(WatchEventType Type, JsonObject Object)>();
        for (var i = 0; i < objects * patches; i++)
        {
            received.Add(await watch.NextAsync());
        }

        Assert.All(received, e => Assert.Equal(WatchEventType.Modified, e.Type));
        var versions = received.Select(e => long.Parse(Rv(e.Object), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        Assert.All(received.GroupBy(e => e.Object["metadata"]!["name"]!.GetValue<string>()),
            g => Assert.Equal(Enumerable.Range(2, patches), g.Select(e => e.Object["spec"]!["replicas"]!.GetValue<int>())));
    }
}
