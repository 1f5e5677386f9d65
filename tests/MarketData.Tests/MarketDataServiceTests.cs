using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace CryptoIndex.MarketData.Tests;

/// <summary>The shared price cache end to end: fake providers over loopback HTTP, a fake clock.</summary>
public sealed class MarketDataServiceTests
{
    private static readonly IReadOnlyList<AssetRef> ThreeAssets = MarketHarness.ThreeAssets;

    private static Task<MarketHarness> PricedAsync(SourceHttpOptions? http = null, CoinGeckoOptions? coinGecko = null) =>
        MarketHarness.PricedAsync(coinGecko, http);

    [Fact]
    public async Task A_hundred_funds_asking_at_once_cost_one_request_per_refresh()
    {
        await using var h = await PricedAsync();

        // Each fund holds its own subset; all ask concurrently, as parallel reconciles do.
        var funds = Enumerable.Range(0, 100).Select(i => (IReadOnlyCollection<AssetRef>)ThreeAssets.Where((_, k) => (i + k) % 3 != 0).ToArray()).ToList();
        h.Service.Track(ThreeAssets);
        var first = await h.Drive(Task.WhenAll(funds.Select(f => h.Service.GetSnapshotAsync(f, TimeSpan.FromMinutes(1), CancellationToken.None))));

        Assert.Equal(1, h.Server.CountRequests("coingecko"));
        Assert.All(first, s => Assert.Same(first[0], s));

        // Within the refresh interval the cache answers; after it, one more request serves everyone again.
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        await h.Drive(Task.WhenAll(funds.Select(f => h.Service.GetSnapshotAsync(f, TimeSpan.FromMinutes(1), CancellationToken.None))));
        Assert.Equal(1, h.Server.CountRequests("coingecko"));
        h.Clock.Advance(TimeSpan.FromSeconds(31));
        await h.Drive(Task.WhenAll(funds.Select(f => h.Service.GetSnapshotAsync(f, TimeSpan.FromMinutes(1), CancellationToken.None))));
        Assert.Equal(2, h.Server.CountRequests("coingecko"));
        Assert.Equal(0, h.Server.CountRequests("binance"));
    }

    [Fact]
    public async Task A_fund_with_new_assets_gets_them_in_its_snapshot()
    {
        await using var h = await PricedAsync();
        await h.SnapshotAsync([MarketHarness.Btc]);

        var snapshot = await h.SnapshotAsync([MarketHarness.Btc, MarketHarness.Sol]);

        Assert.Equal(100m, snapshot.Quotes[MarketHarness.Sol].Price);
        Assert.Empty(snapshot.StaleAssets([MarketHarness.Btc, MarketHarness.Sol], TimeSpan.FromMinutes(5), h.Clock.GetUtcNow()));
    }

    [Fact]
    public async Task When_CoinGecko_is_down_Binance_prices_are_used_with_market_caps_estimated_from_the_last_known()
    {
        await using var h = await PricedAsync(new SourceHttpOptions { MaxRetries = 1 });
        await h.SnapshotAsync(ThreeAssets);
        h.Server.Binance["BTCUSDT"] = 55_000m;
        h.Server.Fail("coingecko", FaultKind.Status, count: 2, status: 500);
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        var btc = snapshot.Quotes[MarketHarness.Btc];
        Assert.Equal(("binance", 55_000m, 1_100_000_000_000m, MarketCapOrigin.Estimated), (btc.Source, btc.Price, btc.MarketCap!.Value, btc.MarketCapOrigin));
        Assert.Equal("coingecko: HTTP 500 Internal Server Error", Assert.Single(snapshot.SourceFailures));
        Assert.Empty(snapshot.Rejections);
        Assert.Contains(h.Logger.Lines, l => l.Message == "Price source coingecko failed, trying the next one: coingecko: HTTP 500 Internal Server Error");
    }

    [Fact]
    public async Task Assets_the_first_source_lacks_are_asked_of_the_next_one_only()
    {
        await using var h = await PricedAsync();
        h.Server.CoinGecko.TryRemove("solana", out _);

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.Equal(("coingecko", "coingecko", "binance"), (snapshot.Quotes[MarketHarness.Btc].Source, snapshot.Quotes[MarketHarness.Eth].Source, snapshot.Quotes[MarketHarness.Sol].Source));
        Assert.Equal(MarketCapOrigin.None, snapshot.Quotes[MarketHarness.Sol].MarketCapOrigin);
        Assert.Empty(snapshot.Rejections);
    }

    [Fact]
    public async Task An_absurd_jump_is_rejected_the_old_price_kept_and_logged_once()
    {
        await using var h = await PricedAsync();
        await h.SnapshotAsync(ThreeAssets);
        h.SetPrice(MarketHarness.Btc, 5_000_000m, 1_000_000_000_000m);

        MarketSnapshot snapshot = null!;
        for (var refresh = 0; refresh < 2; refresh++)
        {
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            snapshot = await h.SnapshotAsync(ThreeAssets);
        }

        Assert.Equal(50_000m, snapshot.Quotes[MarketHarness.Btc].Price);
        Assert.Equal(MarketHarness.Start, snapshot.Quotes[MarketHarness.Btc].ObservedAt);
        Assert.Equal(
            [(RejectionReason.AbsurdJump, "coingecko"), (RejectionReason.AbsurdJump, "binance")],
            snapshot.Rejections.Select(r => (r.Reason, r.Source)));
        Assert.Single(h.Logger.Lines, l => l.Message.StartsWith("Rejected price: BTC from coingecko", StringComparison.Ordinal));
        Assert.Equal(2, h.Registry.Value("cryptoindex_price_rejections_total", "coingecko", "absurd_jump"));
    }

    [Fact]
    public async Task A_jump_that_holds_for_three_refreshes_is_accepted_as_the_new_level()
    {
        await using var h = await PricedAsync();
        await h.SnapshotAsync(ThreeAssets);

        // A real crash: 50,000 → 4,000 → 4,100 → 4,050 (all within 5 % of each other).
        MarketSnapshot snapshot = null!;
        foreach (var price in new[] { 4_000m, 4_100m, 4_050m })
        {
            h.SetPrice(MarketHarness.Btc, price, 80_000_000_000m);
            h.Clock.Advance(TimeSpan.FromMinutes(1));
            snapshot = await h.SnapshotAsync(ThreeAssets);
            if (price != 4_050m)
            {
                Assert.Equal(50_000m, snapshot.Quotes[MarketHarness.Btc].Price);
            }
        }

        Assert.Equal(4_050m, snapshot.Quotes[MarketHarness.Btc].Price);
        Assert.Empty(snapshot.Rejections);
        Assert.Contains(h.Logger.Lines, l => l.Message == "BTC moved from 50000 to 4050 and held there for 3 refreshes: accepted as the new level");
    }

    [Fact]
    public async Task Prices_older_than_the_fund_maximum_age_are_stale_and_say_why()
    {
        await using var h = await PricedAsync(new SourceHttpOptions { MaxRetries = 0 });
        await h.SnapshotAsync(ThreeAssets);
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        h.Server.Fail("coingecko", FaultKind.Status, status: 503);
        h.Server.Fail("binance", FaultKind.Status, status: 503);

        var snapshot = await h.SnapshotAsync(ThreeAssets);
        var stale = snapshot.StaleAssets([MarketHarness.Btc, new AssetRef("XRP", "ripple")], TimeSpan.FromMinutes(5), h.Clock.GetUtcNow());

        Assert.Equal(2, snapshot.SourceFailures.Count);
        Assert.Equal(["BTC (10m old, maxAge 5m)", "XRP (no price)"], stale.Select(s => s.Describe(TimeSpan.FromMinutes(5))));
    }

    [Fact]
    public async Task After_an_outage_the_next_refresh_recovers()
    {
        await using var h = await PricedAsync(new SourceHttpOptions { MaxRetries = 0, BreakerMinimumThroughput = 100 });
        h.Server.Fail("coingecko", FaultKind.Status, status: 503);
        h.Server.Fail("binance", FaultKind.Status, status: 503);
        var during = await h.SnapshotAsync(ThreeAssets);
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        var after = await h.SnapshotAsync(ThreeAssets);

        Assert.Empty(during.Quotes);
        Assert.Equal(3, during.StaleAssets(ThreeAssets, TimeSpan.FromMinutes(5), h.Clock.GetUtcNow()).Count);
        Assert.Empty(after.StaleAssets(ThreeAssets, TimeSpan.FromMinutes(5), h.Clock.GetUtcNow()));
        Assert.Empty(after.SourceFailures);
    }

    [Fact]
    public async Task The_circuit_opens_after_repeated_failures_and_Binance_serves_without_waiting_on_CoinGecko()
    {
        await using var h = await PricedAsync(new SourceHttpOptions { MaxRetries = 0, BreakerMinimumThroughput = 2, BreakDuration = TimeSpan.FromMinutes(5) });
        h.Server.Fail("coingecko", FaultKind.Status, count: 2, status: 500);
        await h.SnapshotAsync(ThreeAssets);
        h.Clock.Advance(TimeSpan.FromMinutes(1));
        await h.SnapshotAsync(ThreeAssets);
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.Equal(2, h.Server.CountRequests("coingecko")); // the third refresh did not reach CoinGecko
        Assert.Equal("coingecko: circuit open after repeated failures", Assert.Single(snapshot.SourceFailures));
        Assert.Equal("binance", snapshot.Quotes[MarketHarness.Btc].Source);
    }

    [Fact]
    public async Task A_failed_coingecko_page_ends_the_fetch_but_the_pages_answered_before_it_count()
    {
        await using var h = await MarketHarness.StartAsync(new CoinGeckoOptions { PageSize = 1 }, new SourceHttpOptions { MaxRetries = 0 });
        h.SetPrice(MarketHarness.Btc, 60_000m, 1_200_000_000_000m);
        h.SetPrice(MarketHarness.Eth, 3_000m, 360_000_000_000m);
        h.SetPrice(MarketHarness.Sol, 150m, 70_000_000_000m);
        h.Server.Fail("coingecko", FaultKind.None); // BTC's page is answered
        h.Server.Fail("coingecko", FaultKind.Status, status: 429, retryAfter: TimeSpan.FromSeconds(60)); // ETH's is not

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        Assert.Equal(("coingecko", 1_200_000_000_000m), (snapshot.Quotes[MarketHarness.Btc].Source, snapshot.Quotes[MarketHarness.Btc].MarketCap));
        Assert.Equal("binance", snapshot.Quotes[MarketHarness.Eth].Source);
        Assert.Equal("binance", snapshot.Quotes[MarketHarness.Sol].Source); // SOL's page was not asked for after the 429
        Assert.Equal(2, h.Server.CountRequests("coingecko"));
        Assert.Empty(snapshot.SourceFailures); // CoinGecko answered a page
        Assert.Equal(2, h.Registry.Value("cryptoindex_price_rejections_total", "coingecko", "page_failed"));

        // The first page failing is the source failing.
        h.Server.Fail("coingecko", FaultKind.Status, status: 503);
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        var down = await h.SnapshotAsync(ThreeAssets);
        Assert.Equal("coingecko: HTTP 503 Service Unavailable", Assert.Single(down.SourceFailures));
        Assert.All(ThreeAssets, a => Assert.Equal("binance", down.Quotes[a].Source));
    }

    [Fact]
    public async Task The_client_side_rate_limit_is_never_exceeded()
    {
        // 3 pages per refresh and a refresh asked for every 5 s: the budget of 30 requests a minute must hold.
        await using var h = await MarketHarness.StartAsync(new CoinGeckoOptions { PageSize = 1 }, new SourceHttpOptions(), withBinance: false, requestsPerMinute: 30);
        h.SetPrice(MarketHarness.Btc, 1m, 1m);
        h.SetPrice(MarketHarness.Eth, 1m, 1m);
        h.SetPrice(MarketHarness.Sol, 1m, 1m);

        for (var i = 0; i < 40; i++)
        {
            await h.SnapshotAsync(ThreeAssets, TimeSpan.FromSeconds(5));
            h.Clock.Advance(TimeSpan.FromSeconds(5));
        }

        var times = h.Server.Requests.Select(r => r.At).Order().ToArray();
        Assert.Equal(120, times.Length);
        for (var i = 30; i < times.Length; i++)
        {
            Assert.True(times[i] - times[i - 30] >= TimeSpan.FromMinutes(1), $"31 requests within {times[i] - times[i - 30]}");
        }
    }

    [Fact]
    public async Task Metrics_count_fetches_by_outcome_and_report_price_age()
    {
        await using var h = await PricedAsync(new SourceHttpOptions { MaxRetries = 0 });
        await h.SnapshotAsync(ThreeAssets);
        h.Server.Fail("coingecko", FaultKind.Status, status: 503);
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await h.SnapshotAsync(ThreeAssets);
        h.Clock.Advance(TimeSpan.FromSeconds(42));

        h.Service.UpdateAgeMetrics();

        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "coingecko", "success"));
        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "coingecko", "failure"));
        Assert.Equal(1, h.Registry.Value("cryptoindex_price_requests_total", "binance", "success"));
        Assert.Equal(42, h.Registry.Value("cryptoindex_price_age_seconds", "coingecko", "BTC"));
    }

    [Fact]
    public async Task Consecutive_failures_count_fetches_failed_in_a_row_and_a_success_resets_them()
    {
        await using var h = await PricedAsync(new SourceHttpOptions { MaxRetries = 0 });
        await h.SnapshotAsync(ThreeAssets);
        Assert.Equal(0, h.Registry.Value("cryptoindex_price_consecutive_failures", "coingecko"));

        for (var failed = 1; failed <= 2; failed++)
        {
            h.Server.Fail("coingecko", FaultKind.Status, status: 503);
            h.Clock.Advance(TimeSpan.FromMinutes(2));
            await h.SnapshotAsync(ThreeAssets);
            Assert.Equal(failed, h.Registry.Value("cryptoindex_price_consecutive_failures", "coingecko"));
        }

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        await h.SnapshotAsync(ThreeAssets);

        Assert.Equal(0, h.Registry.Value("cryptoindex_price_consecutive_failures", "coingecko"));
        Assert.Equal(0, h.Registry.Value("cryptoindex_price_consecutive_failures", "binance"));
    }

    [Fact]
    public async Task Price_age_comes_with_the_longest_refresh_interval_funds_ask_at_and_both_go_with_the_asset()
    {
        await using var h = await PricedAsync();
        await h.SnapshotAsync(ThreeAssets, TimeSpan.FromMinutes(1));
        await h.SnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(30)); // a fund refreshing every half hour shares BTC

        h.Service.UpdateAgeMetrics();

        // The stale-price alert allows a price this old before counting it overdue: an hourly fund's hour-old price is fine.
        Assert.Equal(1800, h.Registry.Value("cryptoindex_price_refresh_interval_seconds", "coingecko", "BTC"));
        Assert.Equal(60, h.Registry.Value("cryptoindex_price_refresh_interval_seconds", "coingecko", "ETH"));

        h.Service.Retain([MarketHarness.Eth, MarketHarness.Sol]);
        h.Service.UpdateAgeMetrics();

        var text = await ExportAsync(h.Registry);
        Assert.DoesNotContain("symbol=\"BTC\"", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_price_refresh_interval_seconds{provider=\"coingecko\",symbol=\"SOL\"} 60", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_price_no_fund_asks_for_any_more_exports_no_age_that_would_grow_for_ever()
    {
        // The last fund on this provider was deleted (or moved to another provider): nothing refreshes this cache again.
        await using var h = await PricedAsync();
        await h.SnapshotAsync(ThreeAssets, TimeSpan.FromMinutes(1));
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        h.Service.UpdateAgeMetrics();
        Assert.InRange(h.Registry.Value("cryptoindex_price_age_seconds", "coingecko", "BTC"), 300, 302); // a fund may still ask

        h.Clock.Advance(TimeSpan.FromMinutes(10)); // a whole refresh interval plus 10 minutes since any fund asked
        h.Service.UpdateAgeMetrics();
        h.Service.UpdateAgeMetrics(); // every later scrape: nothing left to remove

        var text = await ExportAsync(h.Registry);
        Assert.DoesNotContain("cryptoindex_price_age_seconds{", text, StringComparison.Ordinal);
        Assert.DoesNotContain("cryptoindex_price_refresh_interval_seconds{", text, StringComparison.Ordinal);

        await h.SnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1)); // asked again: reported again
        h.Service.UpdateAgeMetrics();
        Assert.InRange(h.Registry.Value("cryptoindex_price_age_seconds", "coingecko", "BTC"), 0, 2);
    }

    private static async Task<string> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task The_api_key_never_appears_in_logs_snapshots_or_errors()
    {
        const string key = "CG-topsecret-key-42";
        await using var h = await PricedAsync(new SourceHttpOptions { MaxRetries = 0 }, new CoinGeckoOptions { ApiKey = key });
        h.Server.Currency = "eur";
        await h.SnapshotAsync(ThreeAssets);
        h.Server.Fail("coingecko", FaultKind.Status, status: 401);
        h.Server.Fail("binance", FaultKind.MalformedJson);
        h.Clock.Advance(TimeSpan.FromMinutes(1));

        var snapshot = await h.SnapshotAsync(ThreeAssets);

        var everything = string.Join('\n', h.Logger.Lines.Select(l => l.Message)
            .Concat(snapshot.SourceFailures)
            .Concat(snapshot.Rejections.Select(r => r.Message))
            .Concat(snapshot.Quotes.Values.Select(q => q.ToString())));
        Assert.Contains("HTTP 401", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(h.Logger.Lines, l => l.Level > LogLevel.Warning);
    }
}

internal static class RegistryExtensions
{
    /// <summary>The current value of one labelled counter or gauge, read back through the text exposition.</summary>
    public static double Value(this CollectorRegistry registry, string name, params string[] labelValues)
    {
        using var stream = new MemoryStream();
        registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var line = text.Split('\n').Single(l => l.StartsWith(name + "{", StringComparison.Ordinal)
            && labelValues.All(v => l.Contains($"=\"{v}\"", StringComparison.Ordinal)));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
