using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// A CoinGecko page that is not answered in time: the pages answered before it count, the rest are page_failed.
/// One id per page, so three assets are three requests.
/// </summary>
public sealed class CoinGeckoPagingTests
{
    private static readonly IReadOnlyList<AssetRef> ThreeAssets = MarketHarness.ThreeAssets;

    // Request timeouts longer than the refresh deadline, so the deadline is what cancels a hanging page.
    private static readonly SourceHttpOptions SlowTimeouts = new() { AttemptTimeout = TimeSpan.FromSeconds(60), TotalTimeout = TimeSpan.FromSeconds(120), MaxRetries = 0 };
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_deadline_on_a_later_page_keeps_the_answered_pages_and_rejects_the_rest_as_page_failed()
    {
        await using var h = await MarketHarness.PricedAsync();
        var source = new CoinGeckoSource(h.Client(SlowTimeouts), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl, PageSize = 1 }, h.Clock);
        h.Server.Fail("coingecko", FaultKind.None); // BTC's page is answered
        h.Server.Fail("coingecko", FaultKind.Hang); // ETH's hangs until the deadline
        using var deadline = new CancellationTokenSource(Deadline, h.Clock);

        var result = await h.Drive(source.FetchAsync(ThreeAssets, deadline.Token));

        Assert.Equal((MarketHarness.Btc, 50_000m), (Assert.Single(result.Quotes).Asset, result.Quotes[0].Price));
        Assert.Equal([MarketHarness.Eth, MarketHarness.Sol], result.Rejections.Select(r => r.Asset));
        Assert.All(result.Rejections, r => Assert.Equal(RejectionReason.PageFailed, r.Reason));
        Assert.Equal(
            "ETH from coingecko: page 2 of 3 not answered before the refresh deadline; not asked again this refresh",
            result.Rejections[0].Message);
        Assert.Equal(2, h.Server.CountRequests("coingecko")); // SOL's page was not asked for
    }

    [Fact]
    public async Task The_deadline_on_the_first_page_still_cancels_the_source()
    {
        await using var h = await MarketHarness.PricedAsync();
        var source = new CoinGeckoSource(h.Client(SlowTimeouts), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl, PageSize = 1 }, h.Clock);
        h.Server.Fail("coingecko", FaultKind.Hang);
        using var deadline = new CancellationTokenSource(Deadline, h.Clock);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Drive(source.FetchAsync(ThreeAssets, deadline.Token)));

        Assert.Equal(1, h.Server.CountRequests("coingecko"));
    }

    [Fact]
    public async Task A_refresh_whose_deadline_passes_on_a_later_page_keeps_the_answered_prices()
    {
        await using var h = await MarketHarness.PricedAsync(new CoinGeckoOptions { PageSize = 1 }, SlowTimeouts, new MarketDataOptions { RefreshTimeout = Deadline });
        h.Server.Fail("coingecko", FaultKind.None);
        h.Server.Fail("coingecko", FaultKind.Hang);

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.Equal(("coingecko", 1_000_000_000_000m), (snapshot.Quotes[MarketHarness.Btc].Source, snapshot.Quotes[MarketHarness.Btc].MarketCap));
        Assert.Equal(["ETH", "SOL"], snapshot.Rejections.Select(r => r.Symbol));
        Assert.All(snapshot.Rejections, r => Assert.Equal(RejectionReason.PageFailed, r.Reason));
        Assert.Equal(2, h.Registry.Value("cryptoindex_price_rejections_total", "coingecko", "page_failed"));

        // CoinGecko answered a page, so it did not fail; the rest went to Binance, but on the same spent deadline.
        Assert.Equal("binance: no answer within the refresh timeout of 30s", Assert.Single(snapshot.SourceFailures));
        Assert.False(snapshot.Quotes.ContainsKey(MarketHarness.Eth));
    }

    [Fact]
    public async Task A_later_page_that_times_out_before_the_deadline_leaves_the_rest_to_Binance()
    {
        var http = new SourceHttpOptions { AttemptTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0 };
        await using var h = await MarketHarness.PricedAsync(new CoinGeckoOptions { PageSize = 1 }, http, new MarketDataOptions { RefreshTimeout = Deadline });
        h.Server.Fail("coingecko", FaultKind.None);
        h.Server.Fail("coingecko", FaultKind.Hang);

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.Equal("coingecko", snapshot.Quotes[MarketHarness.Btc].Source);
        Assert.Equal("binance", snapshot.Quotes[MarketHarness.Eth].Source);
        Assert.Equal("binance", snapshot.Quotes[MarketHarness.Sol].Source);
        Assert.Empty(snapshot.SourceFailures);
        Assert.Equal(2, h.Registry.Value("cryptoindex_price_rejections_total", "coingecko", "page_failed"));
    }
}
