using CryptoIndex.Engine.Planning;

namespace CryptoIndex.Engine.Ledger;

/// <summary>
/// The commission model the planner assumes and the paper exchange charges: <c>rate</c> of the quantity received on
/// a buy (paid in the asset), <c>rate</c> of the notional received on a sell (paid in the quote currency).
/// </summary>
public static class FeeModel
{
    public static Fill ExpectedFill(string symbol, OrderSide side, decimal quantity, decimal price, decimal feeRate) =>
        side == OrderSide.Buy
            ? new Fill(symbol, side, quantity, price, quantity * feeRate, FeeCurrency.Base)
            : new Fill(symbol, side, quantity, price, quantity * price * feeRate, FeeCurrency.Quote);

    public static Fill ExpectedFill(PlannedOrder order, decimal feeRate)
    {
        ArgumentNullException.ThrowIfNull(order);
        return ExpectedFill(order.Symbol, order.Side, order.Quantity, order.Price, feeRate);
    }
}
