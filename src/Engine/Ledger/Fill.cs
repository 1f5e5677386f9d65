using System.Text.Json.Serialization;
using CryptoIndex.Engine.Planning;

namespace CryptoIndex.Engine.Ledger;

/// <summary>Which side of the pair a commission is paid in.</summary>
public enum FeeCurrency
{
    /// <summary>In the asset bought or sold (Binance's default for buys).</summary>
    Base,

    /// <summary>In the quote currency.</summary>
    Quote,

    /// <summary>
    /// In another asset of the account (<see cref="Fill.FeeAsset"/>, e.g. BNB with Binance's fee discount), outside the
    /// fund's ledger: the fund's asset and cash move by the full quantity and notional, and the fund pays nothing.
    /// </summary>
    External,
}

/// <summary>
/// An executed trade: quantity of the asset at a price, and the commission charged. <c>FeeAsset</c> is the asset an
/// <see cref="FeeCurrency.External"/> commission was paid in (required for it, and only for it); it is left out of the
/// JSON when null, so records written before it existed read and write the same.
/// </summary>
public sealed record Fill(
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    decimal Fee,
    FeeCurrency FeeCurrency,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FeeAsset = null)
{
    public decimal Notional => Quantity * Price;

    /// <summary>
    /// The commission's value in the quote currency at the fill price, as the fund pays it: 0 for an
    /// <see cref="FeeCurrency.External"/> one, which the account pays in another asset (no price for it is known here).
    /// </summary>
    public decimal FeeValue => FeeCurrency switch
    {
        FeeCurrency.Base => Fee * Price,
        FeeCurrency.Quote => Fee,
        _ => 0m,
    };
}
