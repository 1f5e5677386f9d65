using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// Binance bans per IP and bans longer when a banned client keeps calling: after a 418 or 429 with Retry-After, no
/// client of that venue sends anything until it lifts.
/// </summary>
public sealed class BinanceBackOffTests
{
    private const string PlaceOrder = "POST /api/v3/order";

    [Theory]
    [InlineData(418, ExchangeErrorKind.IpBanned)]
    [InlineData(429, ExchangeErrorKind.RateLimited)]
    public async Task A_ban_received_by_one_fund_stops_every_client_of_the_venue_until_it_lifts(int status, ExchangeErrorKind kind)
    {
        await using var fund = await BinanceFund.CreateAsync();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var shared = new BinanceBackOff();
        var first = Client(fund, http, shared, new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey));
        var second = Client(fund, http, shared, new BinanceCredentials(FakeBinance.OtherApiKey, FakeBinance.OtherSecretKey));
        var publicData = BinanceExchange.PublicData(http, Options(fund), fund.Time, fund.Logs.For<BinanceExchange>(), backOff: shared);

        fund.Fake.Inject("GET /api/v3/account", Fault.TooManyRequests(status, seconds: 120));
        var banned = await Assert.ThrowsAsync<ExchangeException>(() => first.GetBalancesAsync([], CancellationToken.None));
        Assert.Equal(kind, banned.Kind);
        var until = fund.Time.GetUtcNow().AddSeconds(120);

        fund.Time.Advance(TimeSpan.FromSeconds(30));
        var sent = fund.Fake.RequestLog.Count;
        var refused = await Assert.ThrowsAsync<ExchangeException>(
            () => second.PlaceMarketOrderAsync(Order(fund, "ci-ban-1"), CancellationToken.None));
        var rules = await Assert.ThrowsAsync<ExchangeException>(() => publicData.GetSymbolRulesAsync(["BTC"], CancellationToken.None));

        Assert.Equal(sent, fund.Fake.RequestLog.Count);
        Assert.Empty(fund.State.OrderRequests);
        foreach (var error in new[] { refused, rules })
        {
            Assert.Equal(kind, error.Kind);
            Assert.Equal(TimeSpan.FromSeconds(90), error.RetryAfter);
            Assert.False(error.MayHaveExecuted);
            Assert.False(error.IsOrderRejection);
            Assert.Contains("not sent", error.Message, StringComparison.Ordinal);
            Assert.Contains($"until {until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}", error.Message, StringComparison.Ordinal);
        }

        fund.Time.Advance(TimeSpan.FromSeconds(90));
        var report = await second.PlaceMarketOrderAsync(Order(fund, "ci-ban-1"), CancellationToken.None);
        Assert.Equal(OrderStatus.Filled, report.Status);
        Assert.Single(fund.State.OrderRequests, r => r.ClientOrderId == "ci-ban-1");
        Assert.Contains("BTC", (await publicData.GetSymbolRulesAsync(["BTC"], CancellationToken.None)).Keys);
    }

    [Fact]
    public async Task A_ban_on_one_venue_leaves_another_venue_alone()
    {
        await using var production = await BinanceFund.CreateAsync();
        await using var testnet = await BinanceFund.CreateAsync();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var shared = new BinanceBackOff();
        var banned = Client(production, http, shared, new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey));
        var other = Client(testnet, http, shared, new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey));

        production.Fake.Inject("GET /api/v3/account", Fault.TooManyRequests(418, seconds: 120));
        await Assert.ThrowsAsync<ExchangeException>(() => banned.GetBalancesAsync([], CancellationToken.None));

        Assert.Equal(5000m, (await other.GetBalancesAsync([], CancellationToken.None)).Cash);
        Assert.Equal(OrderStatus.Filled, (await other.PlaceMarketOrderAsync(Order(testnet, "ci-other-1"), CancellationToken.None)).Status);
        var stillBanned = await Assert.ThrowsAsync<ExchangeException>(() => banned.GetBalancesAsync([], CancellationToken.None));
        Assert.Equal(ExchangeErrorKind.IpBanned, stillBanned.Kind);
    }

    [Fact]
    public async Task The_clients_the_factory_builds_share_one_back_off()
    {
        await using var fund = await BinanceFund.CreateAsync();
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(fund.Time)
            .AddSingleton(Metrics.NewCustomRegistry())
            .AddCryptoIndexExchanges()
            .BuildServiceProvider();
        var factory = provider.GetRequiredService<BinanceExchangeFactory>();
        var first = factory.Create(new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey), Options(fund));
        var second = factory.Create(new BinanceCredentials(FakeBinance.OtherApiKey, FakeBinance.OtherSecretKey), Options(fund));
        var publicData = factory.CreatePublic(Options(fund));

        fund.Fake.Inject("GET /api/v3/account", Fault.TooManyRequests(418, seconds: 120));
        await Assert.ThrowsAsync<ExchangeException>(() => first.GetBalancesAsync([], CancellationToken.None));
        var sent = fund.Fake.RequestLog.Count;

        Assert.Equal(ExchangeErrorKind.IpBanned, (await Assert.ThrowsAsync<ExchangeException>(() => second.GetBalancesAsync([], CancellationToken.None))).Kind);
        Assert.Equal(ExchangeErrorKind.IpBanned, (await Assert.ThrowsAsync<ExchangeException>(() => publicData.GetSymbolRulesAsync(["BTC"], CancellationToken.None))).Kind);
        Assert.Equal(sent, fund.Fake.RequestLog.Count);
    }

    [Fact]
    public void The_latest_deadline_wins()
    {
        var gate = new BinanceBackOff();
        var venue = new Uri("https://api.binance.com/");
        var now = new DateTimeOffset(2026, 11, 27, 9, 0, 0, TimeSpan.Zero);
        gate.Record(venue, ExchangeErrorKind.IpBanned, now.AddSeconds(120));
        gate.Record(venue, ExchangeErrorKind.RateLimited, now.AddSeconds(7));

        var refusal = gate.Refusal(new Uri("https://api.binance.com/api/v3/order"), "order", now);
        Assert.Equal(ExchangeErrorKind.IpBanned, refusal!.Kind);
        Assert.Equal(TimeSpan.FromSeconds(120), refusal.RetryAfter);
        Assert.Null(gate.Refusal(new Uri("https://testnet.binance.vision/"), "order", now));
        Assert.Null(gate.Refusal(venue, "order", now.AddSeconds(120)));
    }

    [Fact]
    public async Task A_second_execute_during_the_ban_sends_nothing_and_the_order_executes_once_after_it()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var executor = fund.Executor();
        fund.Fake.Inject(PlaceOrder, Fault.TooManyRequests(418, seconds: 120));
        var first = await executor.StartAsync(fund.Start(), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Waiting, first.Status);
        var leg = first.Record!.Legs[0];
        Assert.Equal(LegState.Pending, leg.State);

        // Another reconcile (a spec edit, a hand-over) comes before Retry-After: nothing may reach Binance.
        fund.Time.Advance(TimeSpan.FromSeconds(60));
        var sent = fund.Fake.RequestLog.Count;
        var second = await executor.ResumeAsync(BinanceFund.Uid, CancellationToken.None);

        Assert.Equal(sent, fund.Fake.RequestLog.Count);
        Assert.Equal(ExecutionStatus.Waiting, second.Status);
        Assert.Equal(first.RetryAt, second.RetryAt);
        Assert.Equal(LegState.Pending, second.Record!.Legs[0].State);
        Assert.Contains("not sent", second.Reason, StringComparison.Ordinal);

        var done = await Driver.RunToEndAsync(executor, fund.Start(), fund.Time);
        Assert.Equal(ExecutionStatus.Done, done.Status);
        Assert.Equal(LegState.Completed, done.Record!.Legs[0].State);
        Assert.Equal(2, fund.Fake.RequestLog.Count(r => r.StartsWith(PlaceOrder, StringComparison.Ordinal) && r.Contains(leg.ClientOrderId, StringComparison.Ordinal)));
        Assert.Single(fund.State.Orders, o => o.ClientOrderId == leg.ClientOrderId);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(done.Record);
    }

    private static BinanceOptions Options(BinanceFund fund) => new() { BaseAddress = fund.Fake.BaseAddress, ReadRetryDelay = TimeSpan.Zero };

    private static BinanceExchange Client(BinanceFund fund, HttpClient http, BinanceBackOff backOff, BinanceCredentials credentials) =>
        new(http, credentials, Options(fund), fund.Time, fund.Logs.For<BinanceExchange>(), backOff: backOff);

    private static MarketOrder Order(BinanceFund fund, string id) => new(id, "BTC", OrderSide.Buy, 0.001m, fund.Time.GetUtcNow());
}
