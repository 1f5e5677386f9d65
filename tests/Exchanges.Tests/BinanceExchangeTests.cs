using System.Text;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

public sealed class BinanceExchangeTests
{
    private static MarketOrder Order(BinanceFund fund, string id, string asset, OrderSide side, decimal quantity) =>
        new(id, asset, side, quantity, fund.Time.GetUtcNow());

    [Fact]
    public void Signature_reproduces_the_published_example()
    {
        var credentials = new BinanceCredentials("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A", "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j");
        Assert.Equal(
            "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
            credentials.Sign("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"));
    }

    [Fact]
    public void Credentials_print_no_values_and_name_only_the_missing_field()
    {
        var credentials = new BinanceCredentials("key-123", "secret-456");
        Assert.DoesNotContain("key-123", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-456", credentials.ToString(), StringComparison.Ordinal);
        Assert.Equal("a *** b ***", credentials.Redact("a key-123 b secret-456"));

        var error = Assert.Throws<ArgumentException>(() => BinanceCredentials.FromSecretData(
            "fund-keys", new Dictionary<string, byte[]> { ["apiKey"] = Encoding.UTF8.GetBytes("key-123") }));
        Assert.Contains("fund-keys", error.Message, StringComparison.Ordinal);
        Assert.Contains("secretKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("key-123", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Symbol_rules_come_from_exchange_info_filters_and_are_cached()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var exchange = fund.Exchange();
        var rules = await exchange.GetSymbolRulesAsync(["BTC", "SOL"], default);
        Assert.Equal(new SymbolRules(0.00001m, 0.00001m, 5m, 9000m), rules["BTC"]);
        Assert.Equal(new SymbolRules(0.01m, 0.01m, 5m, 900000m), rules["SOL"]);

        await exchange.GetSymbolRulesAsync(["SOL", "BTC"], default);
        Assert.Single(fund.Fake.RequestLog, r => r.StartsWith("GET /api/v3/exchangeInfo", StringComparison.Ordinal));

        fund.Time.Advance(TimeSpan.FromHours(2));
        await exchange.GetSymbolRulesAsync(["BTC"], default);
        Assert.Equal(2, fund.Fake.RequestLog.Count(r => r.StartsWith("GET /api/v3/exchangeInfo", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_public_data_client_reads_symbol_rules_without_credentials_and_refuses_anything_signed()
    {
        await using var fund = await BinanceFund.CreateAsync();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var exchange = BinanceExchange.PublicData(http, new BinanceOptions { BaseAddress = fund.Fake.BaseAddress }, fund.Time, fund.Logs.For<BinanceExchange>());

        var rules = await exchange.GetSymbolRulesAsync(["BTC"], default);
        Assert.Equal(new SymbolRules(0.00001m, 0.00001m, 5m, 9000m), rules["BTC"]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => exchange.GetBalancesAsync(["BTC"], default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => exchange.GetAccountAsync(default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => exchange.FindOrderAsync("BTC", "ci-x", default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => exchange.PlaceMarketOrderAsync(Order(fund, "ci-x", "BTC", OrderSide.Buy, 0.001m), default));

        // Nothing but the public request reached the exchange: no account, order or look-up, no API key, no signature.
        var request = Assert.Single(fund.Fake.RequestLog);
        Assert.StartsWith("GET /api/v3/exchangeInfo?", request, StringComparison.Ordinal);
        Assert.DoesNotContain("signature=", request, StringComparison.Ordinal);
        Assert.Empty(fund.Fake.State.OrderRequests);
    }

    [Fact]
    public async Task Balances_are_read_from_the_signed_account_endpoint()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var balances = await fund.Exchange().GetBalancesAsync(["BTC", "ETH", "SOL"], default);
        Assert.Equal(5000m, balances.Cash);
        Assert.Equal(0.2m, balances.QuantityOf("BTC"));
        Assert.Equal(1m, balances.QuantityOf("ETH"));
        Assert.Equal(0m, balances.QuantityOf("SOL"));
        Assert.False(balances.Quantities.ContainsKey("DOGE"));
    }

    [Fact]
    public async Task Requests_are_stamped_on_the_servers_clock()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Skew = TimeSpan.FromSeconds(-3);
        var exchange = fund.Exchange();
        Assert.Equal(fund.Time.GetUtcNow() - TimeSpan.FromSeconds(3), await exchange.GetTimeAsync(default));
        Assert.Equal(5000m, (await exchange.GetBalancesAsync([], default)).Cash);

        // Without the offset the same request is 3 s ahead of Binance's clock and refused as -1021.
        var unsynced = fund.Exchange();
        var error = await Assert.ThrowsAsync<ExchangeException>(() => unsynced.PlaceMarketOrderAsync(Order(fund, "ci-x", "SOL", OrderSide.Buy, 1m), default));
        Assert.Equal(ExchangeErrorKind.InvalidTimestamp, error.Kind);
        Assert.Equal(-1021, error.Code);
        Assert.False(error.MayHaveExecuted);
        Assert.Empty(fund.State.Orders);
    }

    [Fact]
    public async Task A_request_that_arrives_after_its_recv_window_is_refused()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var exchange = fund.Exchange();
        var order = Order(fund, "ci-late", "SOL", OrderSide.Buy, 1m) with { Timestamp = await exchange.GetTimeAsync(default) };
        fund.Fake.Inject("POST /api/v3/order", Fault.Slow(TimeSpan.FromSeconds(6)));
        var error = await Assert.ThrowsAsync<ExchangeException>(() => exchange.PlaceMarketOrderAsync(order, default));
        Assert.Equal(ExchangeErrorKind.InvalidTimestamp, error.Kind);
        Assert.Empty(fund.State.Orders);
    }

    [Fact]
    public async Task A_market_order_returns_its_fills_with_commissions_and_can_be_looked_up()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var exchange = fund.Exchange();
        var report = await exchange.PlaceMarketOrderAsync(Order(fund, "ci-buy", "SOL", OrderSide.Buy, 2m), default);
        Assert.Equal(OrderStatus.Filled, report.Status);
        Assert.Equal(2m, report.ExecutedQuantity);
        Assert.Equal(
            [new Fill("SOL", OrderSide.Buy, 1m, 150m, 0.001m, FeeCurrency.Base), new Fill("SOL", OrderSide.Buy, 1m, 150.075m, 0.001m, FeeCurrency.Base)],
            report.Fills);

        var found = await exchange.FindOrderAsync("SOL", "ci-buy", default);
        Assert.Equal(report with { Fills = [] }, found! with { Fills = [] });
        Assert.Equal(report.Fills, found.Fills);
        Assert.Null(await exchange.FindOrderAsync("SOL", "ci-never-sent", default));

        var sell = await exchange.PlaceMarketOrderAsync(Order(fund, "ci-sell", "ETH", OrderSide.Sell, 0.1m), default);
        Assert.Equal(new Fill("ETH", OrderSide.Sell, 0.05m, 3000m, 0.15m, FeeCurrency.Quote), sell.Fills[0]);
    }

    [Theory]
    [InlineData("SOL", 1.005, "Filter failure: LOT_SIZE")]
    [InlineData("SOL", 0.01, "Filter failure: NOTIONAL")]
    [InlineData("BTC", 1, "insufficient balance")]
    [InlineData("XRP", 1, "Invalid symbol")]
    public async Task The_fake_enforces_filters_and_balances_like_binance(string asset, double quantity, string message)
    {
        await using var fund = await BinanceFund.CreateAsync();
        var error = await Assert.ThrowsAsync<ExchangeException>(
            () => fund.Exchange().PlaceMarketOrderAsync(Order(fund, "ci-r", asset, OrderSide.Buy, (decimal)quantity), default));
        Assert.True(error.IsOrderRejection, error.Message);
        Assert.Contains(message, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(fund.State.Orders);
        Assert.Equal(5000m, fund.State.Balance("USDT"));
    }

    public static TheoryData<Fault, ExchangeErrorKind> OrderFaults => new()
    {
        { Fault.Reject(-2010, "Account has insufficient balance for requested action."), ExchangeErrorKind.InsufficientBalance },
        { Fault.Reject(-2010, "Duplicate order sent."), ExchangeErrorKind.DuplicateOrder },
        { Fault.Reject(-1013, "Filter failure: LOT_SIZE"), ExchangeErrorKind.FilterFailure },
        { Fault.Reject(-1021, "Timestamp for this request is outside of the recvWindow."), ExchangeErrorKind.InvalidTimestamp },
        { Fault.Reject(-2015, "Invalid API-key, IP, or permissions for action.", 401), ExchangeErrorKind.Unauthorized },
        { Fault.Reject(-1100, "Illegal characters found in parameter."), ExchangeErrorKind.Rejected },
        { Fault.TooManyRequests(429, 7), ExchangeErrorKind.RateLimited },
        { Fault.TooManyRequests(418, 120), ExchangeErrorKind.IpBanned },
        { Fault.ServerErrorBefore(), ExchangeErrorKind.OutcomeUnknown },
        { Fault.ServerErrorAfter(), ExchangeErrorKind.OutcomeUnknown },
        { Fault.TimeoutAfter(), ExchangeErrorKind.OutcomeUnknown },
        { Fault.DropAfter(), ExchangeErrorKind.OutcomeUnknown },
        { Fault.ErrorAfter(-1006, "An unexpected response was received from the message bus. Execution status unknown."), ExchangeErrorKind.OutcomeUnknown },
        { Fault.Reject(-1000, "An unknown error occurred while processing the request."), ExchangeErrorKind.OutcomeUnknown },
        { Fault.Reject(-1234, "A code this client has never heard of."), ExchangeErrorKind.OutcomeUnknown },
        { Fault.Reject(-1013, "Filter failure: LOT_SIZE"), ExchangeErrorKind.FilterFailure },
        { Fault.Reject(-2010, "Market is closed."), ExchangeErrorKind.Rejected },
        { Fault.Waf(), ExchangeErrorKind.RateLimited },
    };

    [Theory]
    [MemberData(nameof(OrderFaults))]
    public async Task Order_errors_are_mapped_to_clear_kinds(Fault fault, ExchangeErrorKind kind)
    {
        await using var fund = await BinanceFund.CreateAsync();
        var exchange = fund.Exchange();
        fund.Fake.Inject("POST /api/v3/order", fault);
        var error = await Assert.ThrowsAsync<ExchangeException>(() => exchange.PlaceMarketOrderAsync(Order(fund, "ci-f", "SOL", OrderSide.Buy, 1m), default));
        Assert.Equal(kind, error.Kind);
        Assert.StartsWith("Binance order: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(fault.RetryAfter, error.RetryAfter);
        Assert.DoesNotContain(FakeBinance.ApiKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(FakeBinance.SecretKey, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("signature=", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_are_retried_on_5xx_but_orders_never_are()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var exchange = fund.Exchange();
        fund.Fake.Inject("GET /api/v3/account", Fault.ServerErrorBefore());
        fund.Fake.Inject("GET /api/v3/account", Fault.ServerErrorBefore());
        Assert.Equal(5000m, (await exchange.GetBalancesAsync([], default)).Cash);
        Assert.Equal(3, fund.Fake.RequestLog.Count(r => r.StartsWith("GET /api/v3/account", StringComparison.Ordinal)));

        fund.Fake.Inject("POST /api/v3/order", Fault.ServerErrorBefore());
        await Assert.ThrowsAsync<ExchangeException>(() => exchange.PlaceMarketOrderAsync(Order(fund, "ci-1", "SOL", OrderSide.Buy, 1m), default));
        Assert.Single(fund.Fake.RequestLog, r => r.StartsWith("POST /api/v3/order", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reads_are_not_retried_on_rate_limits()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject("GET /api/v3/account", Fault.TooManyRequests(429, 30));
        var error = await Assert.ThrowsAsync<ExchangeException>(() => fund.Exchange().GetBalancesAsync([], default));
        Assert.Equal(ExchangeErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
        Assert.Single(fund.Fake.RequestLog, r => r.StartsWith("GET /api/v3/account", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_as_unauthorized()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var error = await Assert.ThrowsAsync<ExchangeException>(
            () => fund.Exchange(new BinanceCredentials(FakeBinance.ApiKey, "wrong-secret-value")).GetBalancesAsync([], default));
        Assert.Equal(ExchangeErrorKind.Unauthorized, error.Kind);
        Assert.Equal(-1022, error.Code);
    }

    [Fact]
    public async Task A_timeout_after_acceptance_leaves_the_order_executed_on_the_exchange()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var exchange = fund.Exchange();
        fund.Fake.Inject("POST /api/v3/order", Fault.TimeoutAfter());
        var error = await Assert.ThrowsAsync<ExchangeException>(() => exchange.PlaceMarketOrderAsync(Order(fund, "ci-t", "SOL", OrderSide.Buy, 1m), default));
        Assert.True(error.MayHaveExecuted);
        Assert.Contains("no answer within 10s", error.Message, StringComparison.Ordinal);
        Assert.Single(fund.State.Orders);
        Assert.Equal(OrderStatus.Filled, (await exchange.FindOrderAsync("SOL", "ci-t", default))!.Status);
    }
}
