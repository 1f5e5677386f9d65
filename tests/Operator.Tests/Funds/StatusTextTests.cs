using CryptoIndex.Engine.Planning;
using CryptoIndex.Operator.Funds;

namespace CryptoIndex.Operator.Tests.Funds;

public sealed class StatusTextTests
{
    [Fact]
    public void Orders_not_sent_are_named_small_ones_together_the_untradable_with_their_reason()
    {
        DroppedOrder[] dropped =
        [
            new("SOL", OrderSide.Buy, 0.01m, 1.5m, DropReason.BelowMinNotional, "…"),
            new("DOGE", OrderSide.Sell, 1000m, 120m, DropReason.MarketClosed, "Sell DOGE: the exchange has no open market for it"),
            new("XRP", OrderSide.Sell, 1m, 0.5m, DropReason.BelowMinTradeValue, "…"),
        ];

        Assert.Equal("; below the minimums, not sent: buy SOL, sell XRP; not sent: Sell DOGE: the exchange has no open market for it", StatusText.NotSent(dropped));
        Assert.Equal("; below the minimums, not sent: buy SOL", StatusText.NotSent(dropped[..1]));
        Assert.Equal(string.Empty, StatusText.NotSent([]));
    }

    /// <summary>Prices keep 8 decimal places, and below 0.1 8 significant digits: a sub-cent coin keeps its digits.</summary>
    [Theory]
    [InlineData("95706.645550008394", "95706.64555001")]
    [InlineData("0.713388722434", "0.71338872")]
    [InlineData("0.0639501511925", "0.063950151")]
    [InlineData("0.000002034204", "0.000002034204")]
    [InlineData("0.00001234567891", "0.000012345679")]
    [InlineData("0.00000001", "0.00000001")]
    [InlineData("0.0000000123456789", "0.000000012345679")]
    [InlineData("150", "150")]
    [InlineData("0", "0")]
    public void Prices_keep_eight_significant_digits_below_a_tenth(string price, string shown) =>
        Assert.Equal(shown, StatusText.Price(decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>A buy with no cash left and the part of an order above the exchange's maximum are not "below the minimums".</summary>
    [Fact]
    public void Orders_not_sent_for_want_of_cash_or_above_the_maximum_per_order_name_that_reason()
    {
        DroppedOrder[] dropped =
        [
            new("BTC", OrderSide.Sell, 3m, 150_000m, DropReason.AboveMaxQuantity, "Sell BTC: 3 above the exchange's maximum of 9000 per order is left for the next rebalance"),
            new("ETH", OrderSide.Buy, 0m, 0m, DropReason.NoCashAvailable, "Buy ETH: wanted 4000 but no cash is available after sells and the cash buffer"),
            new("SOL", OrderSide.Buy, 0m, 0m, DropReason.ZeroAfterLotRounding, "…"),
        ];

        Assert.Equal(
            "; below the minimums, not sent: buy SOL; no cash available, not sent: buy ETH; above the exchange's maximum per order, the rest left for the next rebalance: sell BTC",
            StatusText.NotSent(dropped));
        Assert.Equal("; no cash available, not sent: buy ETH", StatusText.NotSent(dropped[1..2]));
    }

    /// <summary>Every reason the planner can give is named: a drop of a reason the text does not know would vanish from status.</summary>
    [Fact]
    public void Every_drop_reason_shows_up_in_the_text()
    {
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            DroppedOrder[] dropped = [new("BTC", OrderSide.Sell, 1m, 100m, reason, "Sell BTC: why")];
            Assert.Contains("BTC", StatusText.NotSent(dropped), StringComparison.Ordinal);
        }
    }
}
