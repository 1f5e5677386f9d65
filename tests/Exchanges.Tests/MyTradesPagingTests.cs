using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// An order that filled in more trades than one answer of <c>myTrades</c> holds (Binance: 500 without <c>limit</c>,
/// at most 1000): the look-up reads every page by <c>fromId</c>, or the fills would never add up and the leg would wait
/// for ever.
/// </summary>
public sealed class MyTradesPagingTests
{
    private const string PlaceOrder = "POST /api/v3/order";
    private const string MyTrades = "GET /api/v3/myTrades";

    [Fact]
    public async Task The_fake_pages_my_trades_as_binance_documents_limit_and_from_id()
    {
        await using var fund = await ManyTradesFundAsync();
        await fund.Exchange().PlaceMarketOrderAsync(new MarketOrder("ci-many", "SOL", OrderSide.Buy, 24m, fund.Time.GetUtcNow()), default);
        var (orderId, ids) = TradesOf(fund);

        Assert.Equal(ids[^500..], await TradeIdsAsync(fund, $"orderId={orderId}")); // default 500, the most recent
        Assert.Equal(ids[..1000], await TradeIdsAsync(fund, $"orderId={orderId}&limit=5000&fromId=0")); // at most 1000
        Assert.Equal(ids[1000..], await TradeIdsAsync(fund, $"orderId={orderId}&fromId={ids[1000]}&limit=1000"));
    }

    [Fact]
    public async Task A_look_up_reads_an_order_of_1200_trades_page_by_page()
    {
        await using var fund = await ManyTradesFundAsync();
        var exchange = fund.Exchange();
        var placed = await exchange.PlaceMarketOrderAsync(new MarketOrder("ci-many", "SOL", OrderSide.Buy, 24m, fund.Time.GetUtcNow()), default);
        var (orderId, ids) = TradesOf(fund);

        var found = await exchange.FindOrderAsync("SOL", "ci-many", default);

        Assert.Equal(1200, placed.Fills.Count);
        Assert.Equal(24m, found!.ExecutedQuantity);
        Assert.Equal(placed.Fills, found.Fills);
        Assert.Equal(
            [$"orderId={orderId}&fromId=0&limit=1000", $"orderId={orderId}&fromId={ids[999] + 1}&limit=1000"],
            fund.Fake.RequestLog.Where(r => r.StartsWith(MyTrades, StringComparison.Ordinal)).Select(r => r[(r.IndexOf("orderId=", StringComparison.Ordinal))..r.IndexOf("&recvWindow", StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task A_second_page_that_lags_is_reported_unavailable_and_the_next_look_up_adopts_every_trade()
    {
        await using var fund = await ManyTradesFundAsync();
        var exchange = fund.Exchange();
        var placed = await exchange.PlaceMarketOrderAsync(new MarketOrder("ci-many", "SOL", OrderSide.Buy, 24m, fund.Time.GetUtcNow()), default);
        fund.Fake.InjectAt(MyTrades, 2, Fault.TradesLag());

        var lagging = await Assert.ThrowsAsync<ExchangeException>(() => exchange.FindOrderAsync("SOL", "ci-many", default));
        Assert.Equal(ExchangeErrorKind.Unavailable, lagging.Kind);
        Assert.Contains("do not add up to its executed quantity yet", lagging.Message, StringComparison.Ordinal);

        Assert.Equal(placed.Fills, (await exchange.FindOrderAsync("SOL", "ci-many", default))!.Fills);
    }

    /// <summary>The first sell filled in 1,200 trades and its answer was lost: the look-up adopts all of them.</summary>
    [Fact]
    public async Task A_rebalance_whose_order_filled_in_1200_trades_and_lost_its_answer_completes_from_the_look_up()
    {
        await using var fund = await ManyTradesFundAsync();
        fund.Fake.Inject(PlaceOrder, Fault.ServerErrorAfter());

        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal((LegState.Completed, 1), (first.State, first.Attempts));
        lock (fund.State.Gate)
        {
            Assert.Equal(1200, fund.State.Orders.Single(o => o.ClientOrderId == first.ClientOrderId).Fills.Count);
        }

        Assert.Equal(1200, first.Fills.Count);
        Assert.Equal(first.ExecutedQuantity, first.Fills.Sum(f => f.Quantity));
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    private static async Task<BinanceFund> ManyTradesFundAsync()
    {
        var fund = await BinanceFund.CreateAsync();
        lock (fund.State.Gate)
        {
            fund.State.TradesPerOrder = 1200;
        }

        return fund;
    }

    private static (long OrderId, long[] TradeIds) TradesOf(BinanceFund fund)
    {
        lock (fund.State.Gate)
        {
            var order = fund.State.Orders.Single();
            Assert.Equal(1200, order.Fills.Count);
            return (order.OrderId, [.. order.Fills.Select(f => f.TradeId)]);
        }
    }

    /// <summary>The trade ids of a signed <c>myTrades</c> request for SOLUSDT with these parameters, sent as they are.</summary>
    private static async Task<long[]> TradeIdsAsync(BinanceFund fund, string parameters)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"symbol=SOLUSDT&{parameters}&timestamp={fund.Time.GetUtcNow().ToUnixTimeMilliseconds()}");
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(FakeBinance.SecretKey), Encoding.UTF8.GetBytes(query)));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fund.Fake.BaseAddress, "api/v3/myTrades?" + query + "&signature=" + signature));
        request.Headers.Add("X-MBX-APIKEY", FakeBinance.ApiKey);
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var trades = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. trades.RootElement.EnumerateArray().Select(t => t.GetProperty("id").GetInt64())];
    }
}
