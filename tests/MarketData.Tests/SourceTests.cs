using System.Text.Json;
using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;

namespace CryptoIndex.MarketData.Tests;

/// <summary>Each source against the fake server speaking its provider's wire format.</summary>
public sealed class SourceTests
{
    private static AssetRef[] Assets(int n) => Enumerable.Range(0, n).Select(i => new AssetRef($"A{i:D3}", $"coin-{i:D3}", $"A{i:D3}USDT")).ToArray();

    [Fact]
    public async Task CoinGecko_asks_for_ids_a_page_at_a_time_and_reads_price_market_cap_and_time()
    {
        await using var h = await MarketHarness.StartAsync();
        var assets = Assets(600);
        foreach (var (a, i) in assets.Select((a, i) => (a, i)))
        {
            h.Server.CoinGecko[a.CoinGeckoId!] = (1.5m + i, 1_000_000m + i);
        }

        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions()), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);
        var result = await h.Drive(source.FetchAsync(assets, CancellationToken.None));

        Assert.Equal(3, h.Server.CountRequests("coingecko")); // 250 + 250 + 100
        Assert.Equal(600, result.Quotes.Count);
        Assert.Empty(result.Rejections);
        var quote = result.Quotes.Single(q => q.Symbol == "A007");
        Assert.Equal((8.5m, 1_000_007m, MarketHarness.Start), (quote.Price, quote.MarketCap!.Value, quote.ObservedAt));
        Assert.All(h.Server.Requests, r => Assert.Contains("vs_currencies=usd&include_market_cap=true", r.PathAndQuery, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(CoinGeckoPlan.Demo, "x-cg-demo-api-key")]
    [InlineData(CoinGeckoPlan.Pro, "x-cg-pro-api-key")]
    public async Task CoinGecko_sends_the_key_in_the_plan_header_and_never_in_the_url(CoinGeckoPlan plan, string header)
    {
        await using var h = await MarketHarness.StartAsync(new CoinGeckoOptions { Plan = plan, ApiKey = "CG-secret-123" });
        h.SetPrice(MarketHarness.Btc, 100m, 1_000m);

        await h.SnapshotAsync([MarketHarness.Btc]);

        var request = h.Server.Requests.Single(r => r.Provider == "coingecko");
        Assert.Equal("CG-secret-123", request.Headers[header]);
        Assert.DoesNotContain("CG-secret-123", request.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pro_host_is_used_only_with_a_pro_key_and_the_key_never_prints()
    {
        Assert.Equal(CoinGeckoOptions.ProBaseUrl, new CoinGeckoOptions { Plan = CoinGeckoPlan.Pro, ApiKey = "k" }.EffectiveBaseUrl);
        Assert.Equal(CoinGeckoOptions.PublicBaseUrl, new CoinGeckoOptions { Plan = CoinGeckoPlan.Pro }.EffectiveBaseUrl);
        Assert.Equal(CoinGeckoOptions.PublicBaseUrl, new CoinGeckoOptions { ApiKey = "k" }.EffectiveBaseUrl);
        Assert.DoesNotContain("CG-secret", new CoinGeckoOptions { ApiKey = "CG-secret" }.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CoinGecko_reports_unknown_ids_and_a_wrong_currency_per_asset()
    {
        await using var h = await MarketHarness.StartAsync();
        h.Server.CoinGecko["bitcoin"] = (100m, 1_000m);
        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions()), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var missing = await h.Drive(source.FetchAsync([MarketHarness.Btc, MarketHarness.Eth], CancellationToken.None));
        h.Server.Currency = "eur";
        var wrongCurrency = await h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None));

        Assert.Equal(("ETH", RejectionReason.MissingId), (missing.Rejections.Single().Symbol, missing.Rejections.Single().Reason));
        var rejection = Assert.Single(wrongCurrency.Rejections);
        Assert.Equal(RejectionReason.WrongCurrency, rejection.Reason);
        Assert.Equal("BTC from coingecko: no 'usd' price (got: eur)", rejection.Message);
    }

    [Fact]
    public async Task A_body_that_is_not_json_fails_the_source()
    {
        await using var h = await MarketHarness.StartAsync();
        h.Server.Fail("coingecko", FaultKind.MalformedJson);
        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions()), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var error = await Assert.ThrowsAsync<PriceSourceException>(() => h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None)));
        Assert.StartsWith("coingecko: malformed JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_429_is_retried_only_after_its_Retry_After()
    {
        await using var h = await MarketHarness.StartAsync();
        h.SetPrice(MarketHarness.Btc, 100m, 1_000m);
        h.Server.Fail("coingecko", FaultKind.Status, status: 429, retryAfter: TimeSpan.FromSeconds(20));
        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions()), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var result = await h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None));

        var times = h.Server.Requests.Select(r => r.At).ToArray();
        Assert.Equal(2, times.Length);
        Assert.True(times[1] - times[0] >= TimeSpan.FromSeconds(20), $"retried after {times[1] - times[0]}");
        Assert.Single(result.Quotes);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_then_the_source_gives_up()
    {
        await using var h = await MarketHarness.StartAsync();
        h.SetPrice(MarketHarness.Btc, 100m, 1_000m);
        h.Server.Fail("coingecko", FaultKind.Status, count: 4, status: 503);
        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions { MaxRetries = 3 }), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var error = await Assert.ThrowsAsync<PriceSourceException>(() => h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None)));

        Assert.Equal(4, h.Server.CountRequests("coingecko"));
        Assert.Equal("coingecko: HTTP 503 Service Unavailable", error.Message);
        var gaps = h.Server.Requests.Select(r => r.At).Zip(h.Server.Requests.Select(r => r.At).Skip(1), (a, b) => b - a).ToArray();
        Assert.All(gaps, gap => Assert.True(gap > TimeSpan.Zero));
    }

    [Fact]
    public async Task A_provider_that_never_answers_times_out_on_the_attempt_and_total_timeouts()
    {
        await using var h = await MarketHarness.StartAsync();
        h.Server.Fail("coingecko", FaultKind.Hang, count: 10);
        var options = new SourceHttpOptions { AttemptTimeout = TimeSpan.FromSeconds(5), TotalTimeout = TimeSpan.FromSeconds(12), MaxRetries = 5 };
        var source = new CoinGeckoSource(h.Client(options), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var error = await Assert.ThrowsAsync<PriceSourceException>(() => h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None)));

        Assert.Equal("coingecko: timed out", error.Message);
        Assert.InRange(h.Clock.GetUtcNow() - MarketHarness.Start, TimeSpan.FromSeconds(12), TimeSpan.FromSeconds(14));
        Assert.InRange(h.Server.CountRequests("coingecko"), 2, 3);
    }

    [Fact]
    public async Task A_body_that_stalls_half_way_is_timed_out_and_retried()
    {
        await using var h = await MarketHarness.StartAsync();
        h.SetPrice(MarketHarness.Btc, 100m, 1_000m);
        h.Server.Fail("coingecko", FaultKind.SlowBody);
        var source = new CoinGeckoSource(h.Client(new SourceHttpOptions { AttemptTimeout = TimeSpan.FromSeconds(5) }), new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl }, h.Clock);

        var result = await h.Drive(source.FetchAsync([MarketHarness.Btc], CancellationToken.None));

        Assert.Equal(100m, Assert.Single(result.Quotes).Price);
        Assert.Equal(2, h.Server.CountRequests("coingecko"));
        Assert.True(h.Clock.GetUtcNow() - MarketHarness.Start >= TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Binance_serves_any_number_of_assets_with_one_request_and_no_market_caps()
    {
        await using var h = await MarketHarness.StartAsync();
        var assets = Assets(300);
        foreach (var a in assets.Take(299))
        {
            h.Server.Binance[a.BinancePair!] = 2.5m;
        }

        var source = new BinanceTickerSource(h.Client(new SourceHttpOptions()), h.Server.BinanceUrl, h.Clock);
        var result = await h.Drive(source.FetchAsync(assets, CancellationToken.None));

        Assert.Equal(1, h.Server.CountRequests("binance"));
        Assert.Equal(299, result.Quotes.Count);
        Assert.All(result.Quotes, q => Assert.Null(q.MarketCap));
        Assert.Equal("A299 from binance: no ticker for A299USDT", Assert.Single(result.Rejections).Message);
    }

    [Fact]
    public async Task The_file_source_reads_numbers_and_strings_and_per_asset_times()
    {
        const string document = """
            {"observedAt": "2022-01-01T00:00:00Z",
             "assets": {"BTC": {"price": "46311.74", "marketCap": "876192941903"},
                        "ETH": {"price": 3769.70, "marketCap": 4.4857e11, "observedAt": "2022-01-01T00:05:00Z"},
                        "SOL": {"price": "n/a"}}}
            """;
        var source = new FileSource(_ => Task.FromResult(document));

        var result = await source.FetchAsync([MarketHarness.Btc, MarketHarness.Eth, MarketHarness.Sol, new AssetRef("XRP")], CancellationToken.None);

        Assert.Equal(
            [("BTC", 46311.74m, (decimal?)876192941903m, new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero)),
             ("ETH", 3769.70m, 448570000000m, new DateTimeOffset(2022, 1, 1, 0, 5, 0, TimeSpan.Zero))],
            result.Quotes.Select(q => (q.Symbol, q.Price, q.MarketCap, q.ObservedAt)));
        Assert.Equal([("SOL", RejectionReason.Malformed), ("XRP", RejectionReason.MissingId)], result.Rejections.Select(r => (r.Symbol, r.Reason)));
    }

    [Theory]
    [InlineData("{}", "the price document needs an \"assets\" object")]
    [InlineData("{\"assets\": {}}", "the price document needs \"observedAt\" (RFC 3339)")]
    [InlineData("{\"assets\": ", "the price document is not valid JSON")]
    [InlineData("{\"observedAt\": \"2022-01-01T00:00:00Z\", \"assets\": {\"BTC\": {\"price\": 2}, \"BTC\": {\"price\": 1}}}", "the price document is not valid JSON: Duplicate property 'BTC'")]
    public async Task A_bad_price_document_fails_the_file_source_with_the_reason(string document, string reason)
    {
        var source = new FileSource(_ => Task.FromResult(document));

        var error = await Assert.ThrowsAsync<PriceSourceException>(() => source.FetchAsync([MarketHarness.Btc], CancellationToken.None));
        Assert.StartsWith("file: " + reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.00001234", "0.00001234")]
    [InlineData("1.234e-05", "0.00001234")]
    [InlineData("\"67187.33\"", "67187.33")]
    [InlineData("1317802988326.25", "1317802988326.25")]
    public void Json_numbers_are_read_as_exact_decimals(string json, string expected)
    {
        using var document = JsonDocument.Parse(json);
        Assert.True(JsonNumbers.TryRead(document.RootElement, out var value));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }
}
