using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Status;
using CryptoIndex.Operator.Runtime.Tests.Support;
using CryptoIndex.LocalKube;
using k8s;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>
/// The controller against a LocalKube that closes, silently drops and expires watches, fails list, watch and
/// status writes with 500/503/429/409, while objects are created, changed and deleted. Real time with short
/// reflector timings (the fault schedule needs real concurrency); waits are failure guards only.
/// </summary>
public sealed class ChaosTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Every_object_converges_no_delete_is_lost_and_no_key_is_reconciled_twice_at_once()
    {
        await using var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        await cluster.ApplyYamlAsync(Widgets.CrdYaml);
        var requests = new InFlightRequests();
        IKubernetes client = cluster.CreateClient(requests);
        var random = new Random(42);
        var live = new List<string>();
        for (var i = 0; i < 15; i++)
        {
            var name = "w" + i.ToString(CultureInfo.InvariantCulture);
            await Widgets.CreateAsync(client, name, i);
            live.Add(name);
        }

        var deletedSeen = new ConcurrentDictionary<string, bool>();
        var aliveSeen = new ConcurrentDictionary<string, bool>();
        var status = new StatusWriter(client, Widgets.Type, "chaos");
        var reconciler = new RecordingReconciler(async (r, _, ct) =>
        {
            var obj = r.Current;
            if (obj is null)
            {
                deletedSeen[r.Key.Name] = true;
                return ReconcileResult.Done;
            }

            aliveSeen[r.Key.Name] = true;
            await Task.Yield();
            await status.WriteAsync(obj, new JsonObject { ["observedGeneration"] = obj.Generation, ["size"] = Widgets.Size(obj) }, ct);
            return ReconcileResult.Done;
        });
        var metrics = new RuntimeMetrics();
        var controller = new Controller("widgets", client, Widgets.Type, reconciler, new ControllerOptions
        {
            MaxConcurrentReconciles = 4,
            Reflector = new ReflectorOptions
            {
                IdleTimeout = TimeSpan.FromMilliseconds(500),
                BackoffInitial = TimeSpan.FromMilliseconds(5),
                BackoffMax = TimeSpan.FromMilliseconds(100),
            },
        }, metrics);
        using var stop = new CancellationTokenSource();
        var cache = controller.RunCacheAsync(stop.Token);
        var workers = controller.RunWorkersAsync(stop.Token, stop.Token);

        var deleted = new List<string>();
        var next = 100;
        for (var round = 0; round < 40; round++)
        {
            switch (random.Next(8))
            {
                case 0: cluster.Faults.CloseWatches("widgets"); break;
                case 1: cluster.Faults.DropWatches("widgets"); break;
                case 2: cluster.Faults.ExpireWatches("widgets"); break;
                case 3: cluster.Faults.FailNext(1, new[] { 500, 503, 429 }[random.Next(3)], verb: "list", resource: "widgets"); cluster.Faults.ExpireWatches("widgets"); break;
                case 4: cluster.Faults.FailNext(1, new[] { 500, 503, 429 }[random.Next(3)], verb: "watch", resource: "widgets"); cluster.Faults.CloseWatches("widgets"); break;
                case 5: cluster.Faults.FailNext(2, new[] { 500, 503, 429 }[random.Next(3)], verb: "patch", resource: "widgets/status"); break;
                case 6: cluster.Faults.FailNext(2, 409, verb: "patch", resource: "widgets/status"); break;
                default: cluster.Faults.CompactHistory(); break;
            }

            for (var m = 0; m < 3; m++)
            {
                switch (random.Next(4))
                {
                    case 0:
                        var created = "w" + next++.ToString(CultureInfo.InvariantCulture);
                        await Widgets.CreateAsync(client, created, next);
                        live.Add(created);
                        break;
                    case 1 when live.Count > 5:
                        var gone = live[random.Next(live.Count)];
                        await Widgets.DeleteAsync(client, gone);
                        live.Remove(gone);
                        deleted.Add(gone);
                        break;
                    default:
                        await Widgets.SetSizeAsync(client, live[random.Next(live.Count)], random.Next(1000));
                        break;
                }
            }

            await Task.Delay(random.Next(20, 80));
        }

        // One more conflict on a known write, so the quiet-requeue path is exercised whatever the schedule consumed.
        cluster.Faults.Clear();
        cluster.Faults.FailNext(1, 409, verb: "patch", resource: "widgets/status");
        await Widgets.SetSizeAsync(client, live[0], 4242);
        var deadline = DateTime.UtcNow + Guard;
        string? problem;
        var observer = cluster.CreateClient(); // the checks' own lists stay out of the diagnostics
        while ((problem = await ProblemAsync(observer, controller, live, deleted.Where(aliveSeen.ContainsKey).ToList(), deletedSeen)) is not null)
        {
            // A problem left at the deadline names the controller's calls still hung, and the last writes the server
            // answered (it logs a request when it answers): a hang on either side shows.
            Assert.True(DateTime.UtcNow < deadline, problem + "\n" + requests.Describe() + "\nserver answered last: " +
                string.Join("; ", cluster.Requests.All.Where(r => r.Method != "GET").TakeLast(20).Select(r =>
                    r.Time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " " + r.StatusCode.ToString(CultureInfo.InvariantCulture) + " " + r.Method + " " + r.Path + r.Query)));
            await Task.Delay(50);
        }

        Assert.Equal(0, reconciler.Overlaps);
        Assert.True(controller.Reflector.Relists > 1, "the faults should have forced relists");
        Assert.True(metrics.ReconcileTotal.WithLabels("widgets", "requeue").Value > 0, "injected 409s should requeue quietly");
        await stop.CancelAsync();
        await Task.WhenAll(cache, workers).WaitAsync(Guard);
    }

    private static async Task<string?> ProblemAsync(IKubernetes client, Controller controller, List<string> live, List<string> deleted,
        ConcurrentDictionary<string, bool> deletedSeen)
    {
        var list = (JsonElement)await client.CustomObjects.ListNamespacedCustomObjectAsync(Widgets.Group, Widgets.Version, "default", Widgets.Plural);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in list.GetProperty("items").EnumerateArray())
        {
            var obj = KubeObject.From(item);
            names.Add(obj.Key.Name);
            var s = obj.Status;
            if (s.ValueKind != JsonValueKind.Object || s.GetProperty("size").GetInt32() != Widgets.Size(obj) ||
                s.GetProperty("observedGeneration").GetInt64() != obj.Generation)
            {
                return obj.Key + " not reconciled: " + obj.Json.GetRawText();
            }
        }

        if (!names.SetEquals(live))
        {
            return "test bookkeeping differs from the server";
        }

        var cached = controller.Cache.List().Select(o => o.Key.Name).ToHashSet(StringComparer.Ordinal);
        if (!cached.SetEquals(names))
        {
            return "cache differs from the server";
        }

        // An object created and deleted while the watch was down is never seen, as with client-go; every object the
        // controller did see must have its deletion reconciled.
        return deleted.FirstOrDefault(d => !deletedSeen.ContainsKey(d)) is { } lost ? "delete of " + lost + " never reconciled" : null;
    }
}
