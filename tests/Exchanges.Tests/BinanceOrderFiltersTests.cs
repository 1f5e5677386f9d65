using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// The order rules Binance applies to a MARKET order beyond LOT_SIZE and the minimum notional (MARKET_LOT_SIZE, the
/// NOTIONAL maximum with applyMaxToMarket, the newClientOrderId alphabet): the fake refuses what Binance refuses, and
/// a rebalance keeps to them, so a regression shows as a -1013 here rather than on the exchange.
/// </summary>
public sealed class BinanceOrderFiltersTests
{
    private static MarketOrder Order(BinanceFund fund, string id, string asset, decimal quantity) =>
        new(id, asset, OrderSide.Buy, quantity, fund.Time.GetUtcNow());

    private static void SetSol(BinanceFund fund, Func<FakeSymbol, FakeSymbol> change)
    {
        lock (fund.State.Gate)
        {
            fund.State.Symbols["SOL"] = change(fund.State.Symbols["SOL"]);
        }
    }

    [Theory]
    [InlineData(10.01, "Filter failure: MARKET_LOT_SIZE")] // above MARKET_LOT_SIZE's maximum, far below LOT_SIZE's
    [InlineData(1.05, "Filter failure: MARKET_LOT_SIZE")] // on LOT_SIZE's step (0.01), off MARKET_LOT_SIZE's (0.1)
    [InlineData(0.4, "Filter failure: MARKET_LOT_SIZE")] // above LOT_SIZE's minimum, below MARKET_LOT_SIZE's
    public async Task The_fake_refuses_a_market_order_that_breaks_market_lot_size(double quantity, string message)
    {
        await using var fund = await BinanceFund.CreateAsync();
        SetSol(fund, s => s with { MarketStepSize = 0.1m, MarketMinQuantity = 0.5m, MarketMaxQuantity = 10m });

        var error = await Assert.ThrowsAsync<ExchangeException>(
            () => fund.Exchange().PlaceMarketOrderAsync(Order(fund, "ci-m", "SOL", (decimal)quantity), default));

        Assert.Equal(ExchangeErrorKind.FilterFailure, error.Kind);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(fund.State.Orders);
        Assert.Equal(OrderStatus.Filled, (await fund.Exchange().PlaceMarketOrderAsync(Order(fund, "ci-ok", "SOL", 10m), default)).Status);
    }

    [Fact]
    public async Task The_fake_applies_the_maximum_notional_to_market_orders_only_with_apply_max_to_market()
    {
        await using var fund = await BinanceFund.CreateAsync();
        SetSol(fund, s => s with { MaxNotional = 1_000m, ApplyMaxToMarket = false });
        Assert.Equal(OrderStatus.Filled, (await fund.Exchange().PlaceMarketOrderAsync(Order(fund, "ci-1", "SOL", 7m), default)).Status); // 1,050

        SetSol(fund, s => s with { ApplyMaxToMarket = true });
        var error = await Assert.ThrowsAsync<ExchangeException>(
            () => fund.Exchange().PlaceMarketOrderAsync(Order(fund, "ci-2", "SOL", 7m), default));

        Assert.Equal(ExchangeErrorKind.FilterFailure, error.Kind);
        Assert.Contains("Filter failure: NOTIONAL", error.Message, StringComparison.Ordinal);
        Assert.Single(fund.State.Orders);
    }

    [Theory]
    [InlineData("ci.3f2b-1-1")] // '.', ':' and '/' are in the futures API's range, not in spot's
    [InlineData("ci:3f2b-1-1")]
    [InlineData("ci/3f2b-1-1")]
    [InlineData("ci 3f2b-1-1")]
    [InlineData("ci-3f2b9c1e8a7d-123456789012-12345678")] // 37 characters
    public async Task The_fake_refuses_a_client_order_id_outside_binances_alphabet(string clientOrderId)
    {
        await using var fund = await BinanceFund.CreateAsync();

        var error = await Assert.ThrowsAsync<ExchangeException>(
            () => fund.Exchange().PlaceMarketOrderAsync(Order(fund, clientOrderId, "SOL", 1m), default));

        Assert.Equal((ExchangeErrorKind.Rejected, -1100), (error.Kind, error.Code));
        Assert.Empty(fund.State.Orders);
        Assert.Equal(
            OrderStatus.Filled,
            (await fund.Exchange().PlaceMarketOrderAsync(Order(fund, "ci-3f2b9c1e8a7d-12345678901-123456_X", "SOL", 1m), default)).Status);
    }

    [Fact]
    public async Task A_rebalance_keeps_its_buys_within_market_lot_size()
    {
        // The fund wants about 40 SOL; a market order may buy at most 10 (MARKET_LOT_SIZE), LOT_SIZE allows 900,000.
        await using var fund = await BinanceFund.CreateAsync();
        SetSol(fund, s => s with { MarketMaxQuantity = 10m });

        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.Equal(10m, Assert.Single(result.Record!.Legs, l => l.Symbol == "SOL").ExecutedQuantity);
        Assert.Contains(result.Record.Dropped, d => d.Symbol == "SOL" && d.Reason == DropReason.AboveMaxQuantity);
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Outcome == "-1013");
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task A_rebalance_keeps_its_market_orders_within_the_maximum_notional_binance_applies_to_them()
    {
        // The fund wants about 6,060 USDT of SOL at 150; Binance refuses a market order worth more than 4,000.
        await using var fund = await BinanceFund.CreateAsync();
        SetSol(fund, s => s with { MaxNotional = 4_000m, ApplyMaxToMarket = true });

        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var sol = Assert.Single(result.Record!.Legs, l => l.Symbol == "SOL");
        Assert.Equal((LegState.Completed, 26.66m), (sol.State, sol.ExecutedQuantity)); // 4,000 / 150 = 26.666…, on the 0.01 step
        var dropped = Assert.Single(result.Record.Dropped, d => d.Symbol == "SOL");
        Assert.Equal(DropReason.AboveMaxQuantity, dropped.Reason);
        Assert.Contains("maximum notional of 4000", dropped.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Outcome == "-1013");
        fund.AssertLedgerMatchesExchange(result.Record);
    }
}
