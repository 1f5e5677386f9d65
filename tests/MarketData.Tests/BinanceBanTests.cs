using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// Binance bans an IP that keeps calling after a 429 (HTTP 418, 2 minutes up to 3 days, longer for each request sent
/// during the ban): after a 418 or 429 with Retry-After, the ticker source sends nothing until it has passed, across
/// refreshes, and fails as any source does. No fetch here waits on a timer, so the fake clock moves only when a test
/// moves it and every time in a message is exact.
/// </summary>
public sealed class BinanceBanTests
{
    [Theory]
    [InlineData(418, "IP banned")]
    [InlineData(429, "rate limited")]
    [InlineData(403, "rate limited")] // Binance's web application firewall
    public async Task After_a_ban_with_retry_after_nothing_is_sent_until_it_has_passed(int status, string what)
    {
        await using var h = await MarketHarness.StartAsync();
        h.Server.Binance["BTCUSDT"] = 50_000m;
        var source = new BinanceTickerSource(h.Client(new SourceHttpOptions { MaxRetries = 0 }), h.Server.BinanceUrl, h.Clock);
        h.Server.Fail("binance", FaultKind.Status, status: status, retryAfter: TimeSpan.FromMinutes(2));

        var banned = await Assert.ThrowsAsync<PriceSourceException>(() => source.FetchAsync([MarketHarness.Btc], CancellationToken.None));
        Assert.StartsWith($"binance: HTTP {status}", banned.Message, StringComparison.Ordinal);

        h.Clock.Advance(TimeSpan.FromSeconds(90));
        var held = await Assert.ThrowsAsync<PriceSourceException>(() => source.FetchAsync([MarketHarness.Btc], CancellationToken.None));
        Assert.Equal($"binance: not sent: {what} by Binance until 2026-01-01T00:02:00Z; retry after 30s", held.Message);
        Assert.Equal(1, h.Server.CountRequests("binance"));

        h.Clock.Advance(TimeSpan.FromSeconds(30));
        var result = await source.FetchAsync([MarketHarness.Btc], CancellationToken.None);
        Assert.Equal(50_000m, Assert.Single(result.Quotes).Price);
        Assert.Equal(2, h.Server.CountRequests("binance"));
    }

    [Fact]
    public async Task A_failure_without_retry_after_holds_nothing_back()
    {
        await using var h = await MarketHarness.StartAsync();
        h.Server.Binance["BTCUSDT"] = 50_000m;
        var source = new BinanceTickerSource(h.Client(new SourceHttpOptions { MaxRetries = 0 }), h.Server.BinanceUrl, h.Clock);
        h.Server.Fail("binance", FaultKind.Status, status: 418);

        await Assert.ThrowsAsync<PriceSourceException>(() => source.FetchAsync([MarketHarness.Btc], CancellationToken.None));
        var result = await source.FetchAsync([MarketHarness.Btc], CancellationToken.None);

        Assert.Equal(50_000m, Assert.Single(result.Quotes).Price);
        Assert.Equal(2, h.Server.CountRequests("binance"));
    }

    [Fact]
    public async Task A_refresh_during_the_ban_reports_the_source_failed_and_sends_nothing()
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        h.Server.Binance["BTCUSDT"] = 50_000m;
        var source = new BinanceTickerSource(h.Client(new SourceHttpOptions()), h.Server.BinanceUrl, h.Clock);
        var service = new MarketDataService("binance", [source], new MarketDataOptions(), h.Clock, h.Logger, new MarketDataMetrics(h.Registry));
        Task<MarketSnapshot> Refresh() => service.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), CancellationToken.None);
        await Refresh();
        h.Server.Fail("binance", FaultKind.Status, status: 418, retryAfter: TimeSpan.FromMinutes(10));
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.StartsWith("binance: HTTP 418", Assert.Single((await Refresh()).SourceFailures), StringComparison.Ordinal);

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var snapshot = await Refresh();

        Assert.Equal("binance: not sent: IP banned by Binance until 2026-01-01T00:11:00Z; retry after 540s", Assert.Single(snapshot.SourceFailures));
        Assert.Equal(2, h.Server.CountRequests("binance"));
        Assert.Equal(50_000m, snapshot.Quotes[MarketHarness.Btc].Price); // the last price is kept, as after any failure
    }
}
