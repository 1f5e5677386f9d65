using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// A CoinGecko page that is not answered in time: the pages answered before it count, the rest are page_failed, and
/// Binance prices them in the share of the refresh timeout kept for it. One id per page, so three assets are three requests.
/// </summary>
public sealed class CoinGeckoPagingTests
{
    private static readonly IReadOnlyList<AssetRef> ThreeAssets = MarketHarness.ThreeAssets;

    // Request timeouts longer than the refresh timeout, so a deadline is what cancels a hanging page.
    private static readonly SourceHttpOptions SlowTimeouts = new() { AttemptTimeout = TimeSpan.FromSeconds(60), TotalTimeout = TimeSpan.FromSeconds(120), MaxRetries = 0 };
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    // With the default FallbackShare of 25 %, CoinGecko must be done by 30 s and Binance has the last 10 s.
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(40);

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
            "ETH from coingecko: page 2 of 3 not answered within coingecko's time in this refresh; not asked again this refresh",
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
    public async Task A_slow_coingecko_cut_off_on_a_later_page_keeps_its_prices_and_Binance_prices_the_rest_in_the_time_kept_for_it()
    {
        await using var h = await MarketHarness.PricedAsync(new CoinGeckoOptions { PageSize = 1 }, SlowTimeouts, new MarketDataOptions { RefreshTimeout = Refresh });
        h.Server.Fail("coingecko", FaultKind.None);
        h.Server.Fail("coingecko", FaultKind.Hang);

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.Equal(("coingecko", 1_000_000_000_000m), (snapshot.Quotes[MarketHarness.Btc].Source, snapshot.Quotes[MarketHarness.Btc].MarketCap));
        Assert.Equal(("binance", 2_500m), (snapshot.Quotes[MarketHarness.Eth].Source, snapshot.Quotes[MarketHarness.Eth].Price));
        Assert.Equal(("binance", 100m), (snapshot.Quotes[MarketHarness.Sol].Source, snapshot.Quotes[MarketHarness.Sol].Price));
        Assert.Empty(snapshot.Rejections); // what CoinGecko did not price, Binance did
        Assert.Empty(snapshot.SourceFailures); // CoinGecko answered a page; Binance answered
        Assert.Equal(2, h.Registry.Value("cryptoindex_price_rejections_total", "coingecko", "page_failed"));
        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "coingecko", "success"));
        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "binance", "success"));

        // CoinGecko's ETH page hung until CoinGecko's deadline, 30 s of the 40 s; Binance was asked then, within the rest.
        var binance = Assert.Single(h.Server.Requests, r => r.Provider == "binance");
        Assert.InRange(binance.At - MarketHarness.Start, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31));
    }

    [Fact]
    public async Task A_slow_coingecko_cut_off_on_its_first_page_fails_and_Binance_prices_everything()
    {
        await using var h = await MarketHarness.PricedAsync(new CoinGeckoOptions { PageSize = 1 }, SlowTimeouts, new MarketDataOptions { RefreshTimeout = Refresh });
        h.Server.Fail("coingecko", FaultKind.Hang);

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.All(ThreeAssets, a => Assert.Equal("binance", snapshot.Quotes[a].Source));
        Assert.Equal("coingecko: no answer by 30s into the refresh timeout of 40s (the rest is kept for binance)", Assert.Single(snapshot.SourceFailures));
        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "coingecko", "failure"));
        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "binance", "success"));
        Assert.Equal(1, h.Server.CountRequests("coingecko"));
    }

    [Fact]
    public async Task With_no_share_kept_coingecko_may_use_the_whole_timeout_and_Binance_gets_none()
    {
        var options = new MarketDataOptions { RefreshTimeout = Refresh, FallbackShare = 0 };
        await using var h = await MarketHarness.PricedAsync(new CoinGeckoOptions { PageSize = 1 }, SlowTimeouts, options);
        h.Server.Fail("coingecko", FaultKind.None);
        h.Server.Fail("coingecko", FaultKind.Hang);

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.Equal("coingecko", snapshot.Quotes[MarketHarness.Btc].Source);
        Assert.Equal(["ETH", "SOL"], snapshot.Rejections.Select(r => r.Symbol));
        Assert.All(snapshot.Rejections, r => Assert.Equal(RejectionReason.PageFailed, r.Reason));
        Assert.Equal("binance: no answer within the refresh timeout of 40s", Assert.Single(snapshot.SourceFailures));
        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "binance", "failure"));
    }

    [Fact]
    public async Task A_later_page_that_times_out_before_the_deadline_leaves_the_rest_to_Binance()
    {
        var http = new SourceHttpOptions { AttemptTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(5), MaxRetries = 0 };
        await using var h = await MarketHarness.PricedAsync(new CoinGeckoOptions { PageSize = 1 }, http, new MarketDataOptions { RefreshTimeout = Refresh });
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
