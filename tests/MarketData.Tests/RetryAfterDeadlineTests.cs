using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// A 429/503 whose Retry-After ends after the total timeout (30 s by default) is not waited for: the wait could never
/// end in a retry, would block the fetch for the whole budget and end it as "timed out", hiding the answer from the
/// source. A shorter Retry-After is still waited for and retried.
/// </summary>
public sealed class RetryAfterDeadlineTests
{
    [Fact]
    public async Task A_retry_after_past_the_total_timeout_is_returned_at_once_and_the_binance_source_keeps_the_ban()
    {
        await using var h = await MarketHarness.StartAsync();
        h.Server.Binance["BTCUSDT"] = 50_000m;
        var source = new BinanceTickerSource(h.Client(new SourceHttpOptions()), h.Server.BinanceUrl, h.Clock);
        h.Server.Fail("binance", FaultKind.Status, status: 429, retryAfter: TimeSpan.FromSeconds(120));

        var limited = await Assert.ThrowsAsync<PriceSourceException>(() => h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None)));

        Assert.Equal("binance: HTTP 429 Too Many Requests; retry after 120s", limited.Message);
        // Not waited for a retry that could not come (120 s, or the 30 s timeout): the driver may have stepped the clock
        // once (250 ms) while the answer was handled, on a loaded machine.
        Assert.InRange(h.Clock.GetUtcNow() - MarketHarness.Start, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal(1, h.Server.CountRequests("binance"));

        h.Clock.Advance(TimeSpan.FromSeconds(100));
        var held = await Assert.ThrowsAsync<PriceSourceException>(() => source.FetchAsync([MarketHarness.Btc], CancellationToken.None));
        Assert.Equal("binance: not sent: rate limited by Binance until 2026-01-01T00:02:00Z; retry after 20s", held.Message);
        Assert.Equal(1, h.Server.CountRequests("binance"));

        h.Clock.Advance(TimeSpan.FromSeconds(20));
        var result = await h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None));
        Assert.Equal(50_000m, Assert.Single(result.Quotes).Price);
        Assert.Equal(2, h.Server.CountRequests("binance"));
    }

    [Fact]
    public async Task A_retry_after_that_ends_before_the_total_timeout_is_waited_for_and_retried()
    {
        await using var h = await MarketHarness.StartAsync();
        h.SetPrice(MarketHarness.Btc, 100m, 1_000m);
        h.Server.Fail("coingecko", FaultKind.Status, status: 503, retryAfter: TimeSpan.FromSeconds(29));
        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions()), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var result = await h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None));

        Assert.Equal(100m, Assert.Single(result.Quotes).Price);
        var times = h.Server.Requests.Select(r => r.At).ToArray();
        Assert.Equal(2, times.Length);
        Assert.InRange(times[1] - times[0], TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_time_left_counts_not_the_whole_timeout_so_a_second_wait_that_would_overrun_it_is_not_begun()
    {
        // 20 s waited for the first 429 leaves about 10 s of the 30: a second 20 s would end past the deadline.
        await using var h = await MarketHarness.StartAsync();
        h.SetPrice(MarketHarness.Btc, 100m, 1_000m);
        h.Server.Fail("coingecko", FaultKind.Status, count: 2, status: 429, retryAfter: TimeSpan.FromSeconds(20));
        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions()), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var error = await Assert.ThrowsAsync<PriceSourceException>(() => h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None)));

        Assert.Equal("coingecko: HTTP 429 Too Many Requests; retry after 20s", error.Message);
        Assert.Equal(2, h.Server.CountRequests("coingecko"));
        Assert.InRange(h.Clock.GetUtcNow() - MarketHarness.Start, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(21));
    }
}
