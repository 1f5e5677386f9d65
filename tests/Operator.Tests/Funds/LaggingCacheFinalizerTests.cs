using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Funds;
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
/// holds the next rebalance with an order sent. Removing the finalizer then would let a delete drop that order's fill.
/// The reconciler is called directly with the version chosen (<see cref="FundSnapshot"/>); the operator's own
/// controller watches another namespace and leaves the fund alone.
/// </summary>
public sealed class LaggingCacheFinalizerTests : IAsyncLifetime
{
    private const string Fund = "sixty-forty";
    private const string Finalizer = "cryptoindex.io/rebalance-in-progress";
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly string folder = Directory.CreateTempSubdirectory("lagging-cache-").FullName;
    private FakeBinance binance = null!;
    private OperatorUnderTest op = null!;
    private IKubernetes client = null!;
    private FundReconciler reconciler = null!;

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
        client = op.Cluster.CreateClient();
        reconciler = op.App.Services.GetRequiredService<FundReconciler>();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await op.DisposeAsync();
        await binance.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_reconcile_from_a_cache_that_lags_behind_a_rebalance_in_progress_keeps_its_finalizer()
    {
        await SettleFirstRebalanceAsync();
        var stale = await FundBetweenReportAndFinalizerRemovalAsync();

        // An hour on (spec minInterval), BTC jumps: rebalance 2 starts from that version (still the server's).
        clock.Advance(TimeSpan.FromMinutes(61));
        await File.WriteAllTextAsync(Prices, SixtyFortyFund.Prices(clock.GetUtcNow(), btc: 75_000m));
        await SendAnOrderWhoseOutcomeIsLostAsync(stale);

        // BTC is back where the cached report had it, and a refresh comes before the watch brings rebalance 2: the cached
        // fund (rebalance 1 done, the finalizer on) is within its thresholds. Its status write is conditional on the
        // cached version: a conflict, so nothing after it runs.
        clock.Advance(TimeSpan.FromSeconds(61));
        await File.WriteAllTextAsync(Prices, SixtyFortyFund.Prices(clock.GetUtcNow()));
        var posted = BinanceOperator.OrdersPosted(binance);
        await Assert.ThrowsAsync<ConflictException>(() => reconciler.ReconcileAsync(stale, CancellationToken.None));
        Assert.Equal(posted, BinanceOperator.OrdersPosted(binance));
        await AssertOrderSentAndFinalizerKeptAsync();
    }

    [Fact]
    public async Task A_reconcile_from_a_lagging_cache_with_nothing_to_write_keeps_the_finalizer_of_the_rebalance_in_progress()
    {
        await SettleFirstRebalanceAsync();

        // An hour on (spec minInterval), at the same prices, observed now: the fund is valued again, nothing to trade.
        clock.Advance(TimeSpan.FromMinutes(61));
        await File.WriteAllTextAsync(Prices, SixtyFortyFund.Prices(clock.GetUtcNow()));
        await reconciler.ReconcileAsync(await FundSnapshot.TakeAsync(client, Fund), CancellationToken.None);
        var stale = await FundBetweenReportAndFinalizerRemovalAsync();

        // The weights change to 50/50: rebalance 2 starts from the server's version, with an order sent.
        using (var kubectl = new Kubectl(op.Cluster))
        {
            await kubectl.OkAsync("patch", "ifund", Fund, "--type=json", "-p",
                """[{"op":"replace","path":"/spec/constituents/0/weight","value":"50%"},{"op":"replace","path":"/spec/constituents/1/weight","value":"50%"}]""");
        }

        await SendAnOrderWhoseOutcomeIsLostAsync(await FundSnapshot.TakeAsync(client, Fund));

        // The cached copy (60/40, rebalance 1 done, the finalizer on) values to exactly the status it holds: nothing to
        // write, so no conflict tells this reconcile it is behind. Only the finalizer's removal meets the server; it is
        // conditional on the cached version, so it fails and the fund is read again.
        var posted = BinanceOperator.OrdersPosted(binance);
        Assert.Equal(ReconcileResult.RequeueRateLimited, await reconciler.ReconcileAsync(stale, CancellationToken.None));
        Assert.Equal(posted, BinanceOperator.OrdersPosted(binance));
        await AssertOrderSentAndFinalizerKeptAsync();
    }

    private async Task<JsonObject> ServerAsync() =>
        await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund);

    private static List<string?> Finalizers(JsonObject fund) =>
        (fund["metadata"]?["finalizers"] as JsonArray)?.Select(f => (string?)f).ToList() ?? [];

    /// <summary>Rebalance 1 runs to its end and the fund settles (its report written, its finalizer removed).</summary>
    private async Task SettleFirstRebalanceAsync()
    {
        for (var i = 0; i < 20 && await ServerAsync() is var fund && ((string?)fund["status"]?["execution"]?["phase"] != "Done" || Finalizers(fund).Count > 0); i++)
        {
            await reconciler.ReconcileAsync(await FundSnapshot.TakeAsync(client, Fund), CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal("Done", (string?)(await ServerAsync())["status"]!["execution"]!["phase"]);
        Assert.Empty(Finalizers(await ServerAsync()));
    }

    /// <summary>
    /// The fund as it is between a rebalance's report and the finalizer's removal (the removal met a conflict): the
    /// rebalance done, the finalizer still on. The returned cache stays at that version.
    /// </summary>
    private async Task<ReconcileRequest> FundBetweenReportAndFinalizerRemovalAsync()
    {
        using var kubectl = new Kubectl(op.Cluster);
        await kubectl.OkAsync("patch", "ifund", Fund, "--type=merge", "-p", $$$"""{"metadata":{"finalizers":["{{{Finalizer}}}"]}}""");
        return await FundSnapshot.TakeAsync(client, Fund);
    }

    /// <summary>
    /// Rebalance 2 starts from <paramref name="request"/>'s version: its first order executes but its answer is lost,
    /// and its look-ups fail, so the order is sent and its outcome unknown.
    /// </summary>
    private async Task SendAnOrderWhoseOutcomeIsLostAsync(ReconcileRequest request)
    {
        binance.Inject(BinanceOperator.OrderEndpoint, Fault.ServerErrorAfter());
        for (var i = 0; i < 1_000; i++)
        {
            binance.Inject("GET /api/v3/order", Fault.ServerErrorBefore());
        }

        var reconcile = reconciler.ReconcileAsync(request, CancellationToken.None);
        for (var i = 0; i < 600 && !reconcile.IsCompleted; i++)
        {
            await Task.Delay(5); // the reconcile gets to its next wait on the fake clock
            clock.Advance(TimeSpan.FromSeconds(1)); // the executor's waits (a lost answer's resend window, look-up retries)
        }

        await reconcile;
        var started = (await ServerAsync())["status"]!["execution"]!;
        Assert.Equal(2, int.Parse((string)started["sequence"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(started["legs"]!.AsArray(), l => (string?)l!["state"] == "Sent");
    }

    /// <summary>Rebalance 2's order is still unresolved: the finalizer stays, so a delete waits for its outcome.</summary>
    private async Task AssertOrderSentAndFinalizerKeptAsync()
    {
        var after = await ServerAsync();
        Assert.Contains(after["status"]!["execution"]!["legs"]!.AsArray(), l => (string?)l!["state"] == "Sent");
        Assert.Equal([Finalizer], Finalizers(after));
    }
}
