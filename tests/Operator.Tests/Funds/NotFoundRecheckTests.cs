using CryptoIndex.LocalKube.Testing;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Tests.Testing;
using k8s.Autorest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// The reconciler meets a 404 for a fund its cache still holds: most likely deleted meanwhile, so looked at again in a
/// second (time for the watch to bring the delete), not at once and not as an error; a second 404 in a row is one.
/// The reconciler is called directly; the operator's own controller watches another namespace and leaves the fund alone.
/// </summary>
public sealed class NotFoundRecheckTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly string prices = Path.Combine(Path.GetTempPath(), $"not-found-{Guid.NewGuid():N}.json");
    private OperatorUnderTest op = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(prices, SixtyFortyFund.Prices(Start));
        op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { FilePath = prices }, clock, configure: o => o with { WatchNamespaces = ["elsewhere"] });
        using var kubectl = new Kubectl(op.Cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest()));
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        File.Delete(prices);
    }

    [Fact]
    public async Task A_first_404_for_a_fund_still_in_the_cache_is_looked_at_again_in_a_second_and_a_second_in_a_row_is_an_error()
    {
        var reconciler = op.App.Services.GetRequiredService<FundReconciler>();
        using var client = op.Cluster.CreateClient();
        var request = await FundSnapshot.TakeAsync(client, "sixty-forty"); // the cache keeps it while the server answers 404
        // The fund is read from the cache, so its first request to the server is the status write (here: its first
        // rebalance's record), which meets the 404.
        void NextWriteNotFound() => op.Cluster.Faults.FailNext(1, 404, verb: "patch", resource: "indexfunds", name: "sixty-forty");

        NextWriteNotFound();
        Assert.Equal(ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(1)), await reconciler.ReconcileAsync(request, CancellationToken.None));

        NextWriteNotFound();
        await Assert.ThrowsAsync<HttpOperationException>(() => reconciler.ReconcileAsync(request, CancellationToken.None));

        // Found again: reconciled as usual (not an error: the rebalance is done), and the next 404 is a first one again.
        Assert.Equal(ReconcileResult.RequeueRateLimited, await reconciler.ReconcileAsync(request, CancellationToken.None));
        request = await FundSnapshot.TakeAsync(client, "sixty-forty"); // the watch brought the rebalance's last save

        // A minute on, prices moved: the status is written again, and that write meets the next 404.
        clock.Advance(TimeSpan.FromSeconds(61));
        await File.WriteAllTextAsync(prices, SixtyFortyFund.Prices(clock.GetUtcNow(), btc: 51_000m));
        NextWriteNotFound();
        Assert.Equal(ReconcileResult.RequeueAfter(TimeSpan.FromSeconds(1)), await reconciler.ReconcileAsync(request, CancellationToken.None));
    }
}
