using System.Globalization;
using System.Text;
using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// Every Binance REST request is counted by method, path and status class, timed on the injected clock, and a
/// Retry-After of a rate limit or ban says when the back-off lifts: what an SRE alerts on besides orders.
/// </summary>
public sealed class RequestMetricsTests
{
    private const string Requests = "cryptoindex_exchange_requests_total";
    private const string Backoff = "cryptoindex_exchange_backoff_until_timestamp_seconds";

    [Fact]
    public async Task Reads_are_counted_by_path_and_status_class_each_attempt_included()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject("GET /api/v3/account", Fault.ServerErrorBefore());
        var exchange = fund.Exchange();

        await exchange.GetSymbolRulesAsync(["BTC"], CancellationToken.None);
        await exchange.GetBalancesAsync(["BTC"], CancellationToken.None);
        Assert.Null(await exchange.FindOrderAsync("BTC", "never-sent", CancellationToken.None));

        var text = await Export(fund.Registry);
        AssertSeries(text, Requests, "GET", "/api/v3/exchangeInfo", "2xx", 1);
        AssertSeries(text, Requests, "GET", "/api/v3/time", "2xx", 1);
        // The 503 was retried (reads are): both attempts are counted.
        AssertSeries(text, Requests, "GET", "/api/v3/account", "5xx", 1);
        AssertSeries(text, Requests, "GET", "/api/v3/account", "2xx", 1);
        // An order look-up Binance does not know (-2013, HTTP 400) is an answer, not an outage.
        AssertSeries(text, Requests, "GET", "/api/v3/order", "4xx", 1);
        Assert.Contains("cryptoindex_exchange_request_duration_seconds_count{exchange=\"binance\",method=\"GET\",path=\"/api/v3/account\"} 2", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Backoff + "{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rate_limit_or_ban_says_when_it_lifts_and_a_shorter_one_does_not_hide_a_longer_one()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject("GET /api/v3/exchangeInfo", Fault.TooManyRequests(418, seconds: 120));
        fund.Fake.Inject("GET /api/v3/exchangeInfo", Fault.TooManyRequests(429, seconds: 7));
        var exchange = fund.Exchange();
        var banned = fund.Time.GetUtcNow();

        var ban = await Assert.ThrowsAsync<ExchangeException>(() => exchange.GetSymbolRulesAsync(["BTC"], CancellationToken.None));
        Assert.Equal(ExchangeErrorKind.IpBanned, ban.Kind);
        Assert.Equal(Until(banned.AddSeconds(120)), await Gauge(fund.Registry));

        // The same client sends nothing during the ban (BinanceBackOff); a request already in flight when the ban
        // came back can still answer 429: played by a client that does not share the back-off.
        fund.Time.Advance(TimeSpan.FromSeconds(10));
        var limit = await Assert.ThrowsAsync<ExchangeException>(() => fund.Exchange().GetSymbolRulesAsync(["BTC"], CancellationToken.None));
        Assert.Equal(ExchangeErrorKind.RateLimited, limit.Kind);

        var text = await Export(fund.Registry);
        AssertSeries(text, Requests, "GET", "/api/v3/exchangeInfo", "418", 1);
        AssertSeries(text, Requests, "GET", "/api/v3/exchangeInfo", "429", 1);
        Assert.Equal(Until(banned.AddSeconds(120)), await Gauge(fund.Registry));

        // Past the ban, a new rate limit sets a new deadline.
        fund.Time.Advance(TimeSpan.FromSeconds(200));
        fund.Fake.Inject("GET /api/v3/exchangeInfo", Fault.TooManyRequests(429, seconds: 7));
        await Assert.ThrowsAsync<ExchangeException>(() => exchange.GetSymbolRulesAsync(["BTC"], CancellationToken.None));
        Assert.Equal(Until(fund.Time.GetUtcNow().AddSeconds(7)), await Gauge(fund.Registry));
    }

    [Fact]
    public async Task The_web_application_firewall_limit_is_its_own_status_and_a_back_off_only_with_a_retry_after()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject("POST /api/v3/order", Fault.Waf());

        await Assert.ThrowsAsync<ExchangeException>(() => fund.Exchange().PlaceMarketOrderAsync(
            new MarketOrder("x-metrics-waf", "BTC", Engine.Planning.OrderSide.Buy, 0.001m, fund.Time.GetUtcNow()), CancellationToken.None));

        var text = await Export(fund.Registry);
        AssertSeries(text, Requests, "POST", "/api/v3/order", "403", 1);
        Assert.DoesNotContain(Backoff + "{", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_is_counted_and_timed_at_the_client_timeout_on_the_injected_clock()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var hold = Fault.Hold();
        fund.Fake.Inject("GET /api/v3/exchangeInfo", hold);
        var exchange = fund.Exchange(options: new BinanceOptions { ReadRetries = 0 });

        var read = exchange.GetSymbolRulesAsync(["BTC"], CancellationToken.None);
        await hold.Arrived.Task;
        fund.Time.Advance(new BinanceOptions().RequestTimeout);
        var error = await Assert.ThrowsAsync<ExchangeException>(() => read);
        hold.Release.SetResult();

        Assert.Equal(ExchangeErrorKind.Unavailable, error.Kind);
        var text = await Export(fund.Registry);
        AssertSeries(text, Requests, "GET", "/api/v3/exchangeInfo", "timeout", 1);
        Assert.Contains("cryptoindex_exchange_request_duration_seconds_sum{exchange=\"binance\",method=\"GET\",path=\"/api/v3/exchangeInfo\"} 10", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_request_duration_seconds_bucket{exchange=\"binance\",method=\"GET\",path=\"/api/v3/exchangeInfo\",le=\"5.12\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_request_duration_seconds_bucket{exchange=\"binance\",method=\"GET\",path=\"/api/v3/exchangeInfo\",le=\"10.24\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_a_network_failure_and_a_cancelled_request_is_not_counted()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var closed = new BinanceOptions { ReadRetries = 0 };
        var exchange = new BinanceExchange(
            new HttpClient(), new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey), closed with { BaseAddress = new Uri("http://127.0.0.1:1/") },
            fund.Time, fund.Logs.For<BinanceExchange>(), new ExchangeMetrics(fund.Registry));

        await Assert.ThrowsAsync<ExchangeException>(() => exchange.GetSymbolRulesAsync(["BTC"], CancellationToken.None));

        // Shutdown cancels a request in flight: no answer of the exchange, so neither a timeout nor a network failure.
        var hold = Fault.Hold();
        fund.Fake.Inject("GET /api/v3/exchangeInfo", hold);
        using var shutdown = new CancellationTokenSource();
        var read = fund.Exchange(options: closed).GetSymbolRulesAsync(["BTC"], shutdown.Token);
        await hold.Arrived.Task;
        await shutdown.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        hold.Release.SetResult();

        var text = await Export(fund.Registry);
        AssertSeries(text, Requests, "GET", "/api/v3/exchangeInfo", "network", 1);
        Assert.Single(text.Split('\n'), l => l.StartsWith(Requests + "{", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_factory_the_operator_uses_counts_in_the_registry_of_the_container()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var registry = Metrics.NewCustomRegistry();
        using var provider = new ServiceCollection()
            .AddLogging().AddSingleton<TimeProvider>(fund.Time).AddSingleton(registry).AddCryptoIndexExchanges().BuildServiceProvider();
        var factory = provider.GetRequiredService<BinanceExchangeFactory>();

        await factory.CreatePublic(new BinanceOptions { BaseAddress = fund.Fake.BaseAddress }).GetSymbolRulesAsync(["BTC"], CancellationToken.None);
        await factory.Create(new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey), new BinanceOptions { BaseAddress = fund.Fake.BaseAddress })
            .GetBalancesAsync([], CancellationToken.None);

        var text = await Export(registry);
        AssertSeries(text, Requests, "GET", "/api/v3/exchangeInfo", "2xx", 1);
        AssertSeries(text, Requests, "GET", "/api/v3/account", "2xx", 1);
    }

    private static void AssertSeries(string text, string metric, string method, string path, string status, int value) =>
        Assert.Contains(
            string.Create(CultureInfo.InvariantCulture, $"{metric}{{exchange=\"binance\",method=\"{method}\",path=\"{path}\",status=\"{status}\"}} {value}\n"),
            text,
            StringComparison.Ordinal);

    /// <summary>The back-off gauge's one series, as scraped (Unix seconds, whole: Retry-After is in seconds).</summary>
    private static async Task<string> Gauge(CollectorRegistry registry) =>
        Assert.Single((await Export(registry)).Split('\n'), l => l.StartsWith(Backoff + "{", StringComparison.Ordinal));

    private static string Until(DateTimeOffset when) =>
        string.Create(CultureInfo.InvariantCulture, $"{Backoff}{{exchange=\"binance\"}} {when.ToUnixTimeSeconds()}");

    private static async Task<string> Export(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
