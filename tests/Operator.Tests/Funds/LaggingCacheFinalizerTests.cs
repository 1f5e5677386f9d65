using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Status;
using CryptoIndex.Operator.Tests.Testing;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// A reconcile from a lagging cache (a refresh before the watch brought the last saves) must not let go of a rebalance
/// in progress: the cache says the last rebalance is done and the fund holds the finalizer, while the server already
/// holds the next rebalance with an order sent. Removing the finalizer then (its patch tests the finalizer list, not
/// the version) would let a delete drop that order's fill. The reconciler is called directly with a cache frozen at
/// the stale version; the operator's own controller watches another namespace and leaves the fund alone.
/// </summary>
public sealed class LaggingCacheFinalizerTests : IAsyncLifetime, IDisposable
{
    private const string Fund = "sixty-forty";
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly string folder = Directory.CreateTempSubdirectory("lagging-cache-").FullName;
    private readonly CancellationTokenSource stop = new();
    private FakeBinance binance = null!;
    private OperatorUnderTest op = null!;
    private Reflector funds = null!;
    private Task watching = Task.CompletedTask;

    private string Prices => Path.Combine(folder, "prices.json");

    public async Task InitializeAsync()
    {
        var account = new FakeState();
        account.Balances["USDT"] = 10_000m;
        account.Prices["BTC"] = 50_000m;
        account.Prices["ETH"] = 2_500m;
        account.Symbols["BTC"] = new FakeSymbol(StepSize: 0.00001m, MinQuantity: 0.00001m, MaxQuantity: 9000m, MinNotional: 5m);
        account.Symbols["ETH"] = new FakeSymbol(StepSize: 0.0001m, MinQuantity: 0.0001m, MaxQuantity: 90000m, MinNotional: 5m);
        binance = await FakeBinance.StartAsync(account, clock);
        await File.WriteAllTextAsync(Prices, SixtyFortyFund.Prices(Start));
        op = await OperatorUnderTest.StartAsync(
            new PriceProviderSettings { FilePath = Prices }, clock, binance.BaseAddress, configure: o => o with { WatchNamespaces = ["elsewhere"] });
        using var kubectl = new Kubectl(op.Cluster);
        await BinanceOperator.CreateSecretAsync(kubectl);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest()));
        funds = new Reflector(op.Cluster.CreateClient(), FundReconciler.Funds, clock);
        watching = funds.RunAsync(stop.Token);
        await funds.Cache.WaitForSyncAsync();
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default); // ended by the cancellation
        await op.DisposeAsync();
        await binance.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    public void Dispose() => stop.Dispose();

    private static List<string?> Finalizers(JsonObject fund) =>
        (fund["metadata"]?["finalizers"] as JsonArray)?.Select(f => (string?)f).ToList() ?? [];

    [Fact]
    public async Task A_reconcile_from_a_cache_that_lags_behind_a_rebalance_in_progress_keeps_its_finalizer()
    {
        var reconciler = op.App.Services.GetRequiredService<FundReconciler>();
        var request = new ReconcileRequest(new ObjectKey("default", Fund), funds.Cache);
        using var client = op.Cluster.CreateClient();
        async Task<JsonObject> ServerAsync() =>
            await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund);
        async Task CaughtUpAsync()
        {
            var written = (string?)(await ServerAsync())["metadata"]!["resourceVersion"];
            while (funds.Cache.Get(request.Key)?.ResourceVersion != written)
            {
                await Task.Delay(10); // the watch brings the last write
            }
        }

        // Rebalance 1 runs to its end and the fund settles (its report written, its finalizer removed).
        for (var i = 0; i < 20 && await ServerAsync() is var fund && ((string?)fund["status"]?["execution"]?["phase"] != "Done" || Finalizers(fund).Count > 0); i++)
        {
            await reconciler.ReconcileAsync(request, CancellationToken.None);
            await CaughtUpAsync();
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal("Done", (string?)(await ServerAsync())["status"]!["execution"]!["phase"]);
        Assert.Empty(Finalizers(await ServerAsync()));

        // The fund as it is between that report and the finalizer's removal (the removal met a conflict): rebalance 1
        // done, the finalizer still on. The cache stops there.
        using (var kubectl = new Kubectl(op.Cluster))
        {
            await kubectl.OkAsync("patch", "ifund", Fund, "--type=merge", "-p", """{"metadata":{"finalizers":["cryptoindex.io/rebalance-in-progress"]}}""");
        }

        await CaughtUpAsync();
        await stop.CancelAsync();
        await watching.ContinueWith(_ => { }, TaskScheduler.Default);

        // An hour on (spec minInterval), BTC jumps: rebalance 2 starts from that version (still the server's), its first
        // order executes but its answer is lost, and its look-ups fail: the order is sent, its outcome unknown.
        clock.Advance(TimeSpan.FromMinutes(61));
        await File.WriteAllTextAsync(Prices, SixtyFortyFund.Prices(clock.GetUtcNow(), btc: 75_000m));
        binance.Inject(BinanceOperator.OrderEndpoint, Fault.ServerErrorAfter());
        for (var i = 0; i < 1_000; i++)
        {
            binance.Inject("GET /api/v3/order", Fault.ServerErrorBefore());
        }

        var first = reconciler.ReconcileAsync(request, CancellationToken.None);
        for (var i = 0; i < 600 && !first.IsCompleted; i++)
        {
            await Task.Delay(5); // the reconcile gets to its next wait on the fake clock
            clock.Advance(TimeSpan.FromSeconds(1)); // the executor's waits (a lost answer's resend window, look-up retries)
        }

        await first;
        var started = (await ServerAsync())["status"]!["execution"]!;
        Assert.Equal(2, int.Parse((string)started["sequence"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(started["legs"]!.AsArray(), l => (string?)l!["state"] == "Sent");

        // BTC is back where the cached report had it, and a refresh comes before the watch brings rebalance 2: the cached
        // fund (rebalance 1 done, the finalizer on) is within its thresholds. Its status write is conditional on the
        // cached version: a conflict, so nothing after it runs (the finalizer's removal, which tests only the list).
        clock.Advance(TimeSpan.FromSeconds(61));
        await File.WriteAllTextAsync(Prices, SixtyFortyFund.Prices(clock.GetUtcNow()));
        var posted = BinanceOperator.OrdersPosted(binance);
        await Assert.ThrowsAsync<ConflictException>(() => reconciler.ReconcileAsync(request, CancellationToken.None));
        Assert.Equal(posted, BinanceOperator.OrdersPosted(binance));

        // Rebalance 2's order is still unresolved: the finalizer stays, so a delete waits for its outcome.
        var after = await ServerAsync();
        Assert.Contains(after["status"]!["execution"]!["legs"]!.AsArray(), l => (string?)l!["state"] == "Sent");
        Assert.Equal(["cryptoindex.io/rebalance-in-progress"], Finalizers(after));
    }
}
