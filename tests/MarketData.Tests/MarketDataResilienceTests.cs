using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace CryptoIndex.MarketData.Tests;

/// <summary>Nothing a source or a caller does may break the cache every fund shares (review findings M1–M8).</summary>
public sealed class MarketDataResilienceTests
{
    private static readonly AssetRef UniSwap = new("UNI", "uniswap", "UNIUSDT");
    private static readonly AssetRef UniCorn = new("UNI", "unicorn");

    [Fact]
    public async Task Two_funds_giving_one_symbol_different_ids_get_their_own_prices()
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        h.Server.CoinGecko["uniswap"] = (7.5m, 5_000_000_000m);
        h.Server.CoinGecko["unicorn"] = (0.001m, 100_000m);

        var first = await h.SnapshotAsync([UniSwap]);
        var second = await h.SnapshotAsync([UniCorn]);

        Assert.Equal(7.5m, first.Quote(UniSwap)!.Price);
        Assert.Equal(0.001m, second.Quote(UniCorn)!.Price);
        Assert.Equal(7.5m, second.Quote(UniSwap)!.Price);
    }

    [Fact]
    public async Task Assets_no_fund_uses_any_more_are_no_longer_fetched()
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        h.SetPrice(MarketHarness.Btc, 1m, 1m);
        h.SetPrice(MarketHarness.Eth, 1m, 1m);
        await h.SnapshotAsync([MarketHarness.Btc, MarketHarness.Eth]);

        h.Service.Retain([MarketHarness.Btc]);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var snapshot = await h.SnapshotAsync([MarketHarness.Btc]);

        Assert.EndsWith("ids=bitcoin&vs_currencies=usd&include_market_cap=true&include_last_updated_at=true&precision=full", h.Server.Requests.Last().PathAndQuery, StringComparison.Ordinal);
        Assert.Null(snapshot.Quote(MarketHarness.Eth));
    }

    [Fact]
    public async Task An_asset_no_fund_asks_for_any_more_is_forgotten_with_its_price_age_series()
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        h.SetPrice(MarketHarness.Btc, 1m, 1m);
        h.SetPrice(MarketHarness.Eth, 1m, 1m);
        await h.SnapshotAsync([MarketHarness.Btc, MarketHarness.Eth]);
        h.Service.UpdateAgeMetrics();
        Assert.Contains("symbol=\"ETH\"", await ScrapeAsync(h), StringComparison.Ordinal);

        // Only BTC is asked for from now on (ETH left the only fund that had it), every ten minutes.
        for (var minutes = 10; minutes <= 50; minutes += 10)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(10));
            Assert.NotNull((await h.SnapshotAsync([MarketHarness.Btc])).Quote(MarketHarness.Eth)); // still fetched: an hour's grace
        }

        h.Clock.Advance(TimeSpan.FromMinutes(11));
        var snapshot = await h.SnapshotAsync([MarketHarness.Btc]);
        h.Service.UpdateAgeMetrics();

        Assert.Null(snapshot.Quote(MarketHarness.Eth));
        Assert.EndsWith("ids=bitcoin&vs_currencies=usd&include_market_cap=true&include_last_updated_at=true&precision=full", h.Server.Requests.Last().PathAndQuery, StringComparison.Ordinal);
        var scrape = await ScrapeAsync(h);
        Assert.DoesNotContain("symbol=\"ETH\"", scrape, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_price_age_seconds{provider=\"coingecko\",symbol=\"BTC\"}", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_asset_a_slow_fund_still_asks_for_is_kept_after_a_fast_fund_that_shared_it_is_gone()
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        h.SetPrice(MarketHarness.Btc, 1m, 1m);
        h.SetPrice(MarketHarness.Eth, 1m, 1m);
        await h.SnapshotAsync([MarketHarness.Eth], TimeSpan.FromHours(1)); // the slow fund: hourly
        await h.SnapshotAsync([MarketHarness.Eth, MarketHarness.Btc], TimeSpan.FromMinutes(1)); // the fast one, then deleted

        // Only the fast fund's other coin is asked for now; 2 h 50 min later ETH is still fetched for the slow fund
        // (kept for three of its hourly intervals; with the fast fund's minute it would be gone after one hour).
        for (var i = 0; i < 17; i++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(10));
            Assert.NotNull((await h.SnapshotAsync([MarketHarness.Btc])).Quote(MarketHarness.Eth));
        }
    }

    private static async Task<string> ScrapeAsync(MarketHarness h)
    {
        using var stream = new MemoryStream();
        await h.Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task A_source_that_throws_anything_is_a_failed_source_not_a_failed_refresh()
    {
        var clock = new FakeTimeProvider(MarketHarness.Start);
        var file = new FileSource(_ => Task.FromResult("""{"observedAt": "2026-01-01T00:00:00Z", "assets": {"BTC": {"price": "5", "marketCap": "50"}}}"""));
        var service = new MarketDataService("test", [new ThrowingSource(), file], new MarketDataOptions(), clock, new RecordingLogger<MarketDataService>(), new MarketDataMetrics(Metrics.NewCustomRegistry()));

        var snapshot = await service.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal("broken: unexpected InvalidOperationException", Assert.Single(snapshot.SourceFailures));
        Assert.Equal(5m, snapshot.Quote(MarketHarness.Btc)!.Price);
    }

    [Fact]
    public async Task A_source_that_never_answers_fails_at_its_deadline_and_the_next_source_serves()
    {
        var clock = new FakeTimeProvider(MarketHarness.Start);
        var file = new FileSource(_ => Task.FromResult("""{"observedAt": "2026-01-01T00:00:00Z", "assets": {"BTC": {"price": "5", "marketCap": "50"}}}"""));
        var options = new MarketDataOptions { RefreshTimeout = TimeSpan.FromSeconds(40) };
        var hanging = new HangingSource();
        var service = new MarketDataService("test", [hanging, file], options, clock, new RecordingLogger<MarketDataService>(), new MarketDataMetrics(Metrics.NewCustomRegistry()));

        // The clock moves only while the source hangs: once the timeout has cancelled it, the rest needs no time.
        var snapshot = await clock.DriveAsync(service.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), CancellationToken.None), TimeSpan.FromSeconds(1), () => hanging.Waiting);

        // The default FallbackShare keeps the last quarter of the refresh timeout for the file.
        Assert.Equal("hanging: no answer by 30s into the refresh timeout of 40s (the rest is kept for file)", Assert.Single(snapshot.SourceFailures));
        Assert.Equal(5m, snapshot.Quote(MarketHarness.Btc)!.Price);
        Assert.InRange(clock.GetUtcNow() - MarketHarness.Start, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(33));
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_cancel_the_refresh_the_others_wait_for()
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        h.SetPrice(MarketHarness.Btc, 9m, 90m);
        h.Server.Fail("coingecko", FaultKind.Status, status: 503);
        using var giveUp = new CancellationTokenSource();

        var impatient = h.Service.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), giveUp.Token);
        var patient = h.Service.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), CancellationToken.None);
        await giveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        var snapshot = await h.Drive(patient);
        Assert.Equal(9m, snapshot.Quote(MarketHarness.Btc)!.Price);
    }

    [Theory]
    [InlineData(4_102_444_800L, true)]   // 2100-01-01: in the future, rejected
    [InlineData(99_999_999_999_999L, false)] // not a Unix time at all: the fetch time is used
    public async Task CoinGecko_timestamps_in_the_future_or_out_of_range_never_keep_a_price_fresh(long lastUpdated, bool rejected)
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        h.SetPrice(MarketHarness.Btc, 9m, 90m);
        h.Server.LastUpdatedOverride = lastUpdated;

        var snapshot = await h.SnapshotAsync([MarketHarness.Btc]);

        if (rejected)
        {
            Assert.Equal(RejectionReason.BadTimestamp, Assert.Single(snapshot.Rejections).Reason);
            Assert.Null(snapshot.Quote(MarketHarness.Btc));
        }
        else
        {
            // Not year 5138: the time of the fetch (the driver may have moved the fake clock while it ran).
            Assert.InRange(snapshot.Quote(MarketHarness.Btc)!.ObservedAt, MarketHarness.Start, h.Clock.GetUtcNow());
        }
    }

    [Fact]
    public async Task A_redirect_is_not_followed_so_the_key_never_reaches_another_host()
    {
        await using var h = await MarketHarness.StartAsync(withBinance: false);
        await using var elsewhere = await FakeMarketServer.StartAsync(h.Clock);
        h.Server.RedirectTo = elsewhere.BaseUrl;
        h.Server.Fail("coingecko", FaultKind.Redirect);

        // The client exactly as production builds it (no test handler in between); a 302 is not retried, so no
        // timer is involved and the fake clock need not move.
        using var client = Http.ResilientHttpClient.Create(new Http.SourceHttpOptions(), h.Clock);
        var source = new CoinGeckoSource(client, new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl, ApiKey = "CG-redirect-secret" }, h.Clock);

        var error = await Assert.ThrowsAsync<PriceSourceException>(() => source.FetchAsync([MarketHarness.Btc], CancellationToken.None));

        Assert.Empty(elsewhere.Requests);
        Assert.Equal("coingecko: HTTP 302 Found", error.Message);
    }

    [Fact]
    public async Task An_answer_larger_than_the_limit_fails_the_source_without_being_read_whole()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var network = new EndlessAnswer();
        using var client = Http.ResilientHttpClient.Create(new Http.SourceHttpOptions { MaxRetries = 0 }, clock, network);
        var source = new BinanceTickerSource(client, new Uri("https://data-api.binance.vision/"), clock);

        var error = await Assert.ThrowsAsync<PriceSourceException>(() => source.FetchAsync([MarketHarness.Btc], CancellationToken.None));

        Assert.Equal("binance: request failed: ConfigurationLimitExceeded", error.Message);
        Assert.InRange(network.Served, Http.BufferingHandler.MaxResponseBytes, Http.BufferingHandler.MaxResponseBytes + (1 << 20));
    }

    /// <summary>An answer of JSON whitespace that never ends; it counts what was read from it.</summary>
    private sealed class EndlessAnswer : HttpMessageHandler
    {
        public long Served { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StreamContent(new Spaces(this)) });

        private sealed class Spaces(EndlessAnswer owner) : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => owner.Served; set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count)
            {
                Array.Fill(buffer, (byte)' ', offset, count);
                owner.Served += count;
                return count;
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }

    private sealed class ThrowingSource : IPriceSource
    {
        public string Name => "broken";

        public bool ReportsMarketCaps => true;

        public Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("a bug in a source");
    }

    private sealed class HangingSource : IPriceSource
    {
        public string Name => "hanging";

        public bool ReportsMarketCaps => true;

        /// <summary>Whether a fetch is hanging right now (started, not yet cancelled).</summary>
        public bool Waiting { get; private set; }

        public async Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
        {
            Waiting = true;
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                return new SourceResult([], []);
            }
            finally
            {
                Waiting = false;
            }
        }
    }
}
