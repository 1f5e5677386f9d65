using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Planning;

/// <summary>
/// One market order of a plan. <see cref="Leg"/> numbers the orders in execution order (sells first, then buys,
/// each by symbol); <see cref="Price"/> is the reference price the plan was made at and <see cref="EstimatedFee"/>
/// the commission's value in the quote currency at that price.
/// </summary>
public sealed record PlannedOrder(int Leg, string Symbol, OrderSide Side, decimal Quantity, decimal Price, decimal Notional, decimal EstimatedFee);

/// <summary>Why an order the fund wanted was not planned.</summary>
public enum DropReason
{
    /// <summary>Rounding down to the lot step left nothing.</summary>
    ZeroAfterLotRounding,

    /// <summary>Below the exchange's minimum quantity.</summary>
    BelowMinQuantity,

    /// <summary>Below the exchange's minimum notional.</summary>
    BelowMinNotional,

    /// <summary>Below the fund's minimum trade value.</summary>
    BelowMinTradeValue,

    /// <summary>
    /// The part above the exchange's maximum for one order (its maximum quantity, or its maximum notional at the
    /// reference price); the next rebalance trades it.
    /// </summary>
    AboveMaxQuantity,

    /// <summary>A buy the fund wanted, with no cash left for it (for example because a sell was dropped).</summary>
    NoCashAvailable,

    /// <summary>The symbol is not traded (<see cref="SymbolRules.Closed"/>): no open market, or no current price.</summary>
    MarketClosed,

    /// <summary>
    /// A sell the fund still wants after the rebalance's sells are over (<see cref="PlanRequest.BuysOnly"/>): the next
    /// rebalance sells it; the buys do not count on its proceeds.
    /// </summary>
    SellsOver,
}

/// <summary>An order that was wanted but not planned, with the quantity and value it would have had.</summary>
public sealed record DroppedOrder(string Symbol, OrderSide Side, decimal Quantity, decimal Notional, DropReason Reason, string Message);

/// <summary>
/// A rebalance plan: the orders, what was dropped and why, traded notional (<see cref="Turnover"/>), estimated fees,
/// the holdings expected once every order fills at its reference price, and the total drift those leave.
/// </summary>
public sealed record TradePlan(
    decimal Nav,
    IReadOnlyList<PlannedOrder> Orders,
    IReadOnlyList<DroppedOrder> Dropped,
    decimal Turnover,
    decimal EstimatedFees,
    Holdings ExpectedHoldings,
    decimal ResidualDrift)
{
    public IEnumerable<PlannedOrder> Sells => Orders.Where(o => o.Side == OrderSide.Sell);

    public IEnumerable<PlannedOrder> Buys => Orders.Where(o => o.Side == OrderSide.Buy);
}
