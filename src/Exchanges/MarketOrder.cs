using System.Collections.Immutable;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;

namespace CryptoIndex.Exchanges;

/// <summary>
/// A market order to send. <paramref name="Timestamp"/> is on the exchange's clock and is recorded before sending,
/// so that after a crash the executor knows until when this attempt could still be accepted.
/// </summary>
public sealed record MarketOrder(string ClientOrderId, string Asset, OrderSide Side, decimal Quantity, DateTimeOffset Timestamp);

/// <summary>Where an order stands on the exchange.</summary>
public enum OrderStatus
{
    /// <summary>Accepted, not yet (fully) executed; a market order normally never stays here.</summary>
    Open,

    /// <summary>Executed in full.</summary>
    Filled,

    /// <summary>Done with part or none of the quantity executed (market order out of liquidity, cancelled, expired).</summary>
    Expired,

    /// <summary>Refused by the exchange after acceptance; nothing executed.</summary>
    Rejected,
}

/// <summary>
/// An order as the exchange reports it: status, executed quantity and the fills with their commissions, and the
/// quantity it was placed for (<paramref name="OriginalQuantity"/>, when the exchange says), so that an order found by
/// client order id can be checked against the leg before it is adopted.
/// </summary>
public sealed record OrderReport(
    string ClientOrderId,
    string Asset,
    OrderSide Side,
    OrderStatus Status,
    decimal ExecutedQuantity,
    ImmutableList<Fill> Fills,
    string? ExchangeOrderId,
    decimal? OriginalQuantity = null)
{
    /// <summary>True when the order will not change any more.</summary>
    public bool IsFinal => Status != OrderStatus.Open;
}
