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
}
