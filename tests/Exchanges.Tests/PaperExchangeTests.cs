using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Paper;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Exchanges.Tests;

public sealed class PaperExchangeTests
{
    private static PaperExchange Exchange(Holdings holdings, decimal slippageBps = 10m) => new(
        _ => 100m, _ => Task.FromResult(holdings), new PaperOptions(FeeRate: 0.001m, SlippageBps: slippageBps), new FakeTimeProvider());

    [Fact]
    public async Task Buy_pays_slippage_and_the_fee_is_taken_in_the_asset()
    {
        var report = await Exchange(Holdings.CashOnly(1000m)).PlaceMarketOrderAsync(new MarketOrder("ci-1", "SOL", OrderSide.Buy, 2m, DateTimeOffset.UnixEpoch), default);
        Assert.Equal(OrderStatus.Filled, report.Status);
        Assert.Equal(new Fill("SOL", OrderSide.Buy, 2m, 100.1m, 0.002m, FeeCurrency.Base), Assert.Single(report.Fills));
    }

    [Fact]
    public async Task Sell_receives_less_by_the_slippage_and_pays_the_fee_in_cash()
    {
        var report = await Exchange(Holdings.Of(0m, ("SOL", 5m))).PlaceMarketOrderAsync(new MarketOrder("ci-1", "SOL", OrderSide.Sell, 2m, DateTimeOffset.UnixEpoch), default);
        Assert.Equal(new Fill("SOL", OrderSide.Sell, 2m, 99.9m, 0.1998m, FeeCurrency.Quote), Assert.Single(report.Fills));
    }

    [Fact]
    public async Task Orders_the_ledger_cannot_pay_for_are_refused()
    {
        var error = await Assert.ThrowsAsync<ExchangeException>(
            () => Exchange(Holdings.CashOnly(100m)).PlaceMarketOrderAsync(new MarketOrder("ci-1", "SOL", OrderSide.Buy, 2m, DateTimeOffset.UnixEpoch), default));
        Assert.Equal(ExchangeErrorKind.InsufficientBalance, error.Kind);
        Assert.False(error.MayHaveExecuted);
    }

    [Fact]
    public async Task Paper_keeps_no_orders_so_a_lost_fill_never_happened()
    {
        var exchange = Exchange(Holdings.CashOnly(1000m));
        await exchange.PlaceMarketOrderAsync(new MarketOrder("ci-1", "SOL", OrderSide.Buy, 2m, DateTimeOffset.UnixEpoch), default);
        Assert.Null(await exchange.FindOrderAsync("SOL", "ci-1", default));
        Assert.Equal(TimeSpan.Zero, exchange.AcceptanceWindow);
    }
}
