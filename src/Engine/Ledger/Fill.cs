using CryptoIndex.Engine.Planning;

namespace CryptoIndex.Engine.Ledger;

/// <summary>Which side of the pair a commission is paid in.</summary>
public enum FeeCurrency
{
    /// <summary>In the asset bought or sold (Binance's default for buys).</summary>
    Base,

    /// <summary>In the quote currency.</summary>
    Quote,
}

/// <summary>An executed trade: quantity of the asset at a price, and the commission charged.</summary>
public sealed record Fill(string Symbol, OrderSide Side, decimal Quantity, decimal Price, decimal Fee, FeeCurrency FeeCurrency)
{
    public decimal Notional => Quantity * Price;

    /// <summary>The commission's value in the quote currency at the fill price.</summary>
    public decimal FeeValue => FeeCurrency == FeeCurrency.Base ? Fee * Price : Fee;
}
