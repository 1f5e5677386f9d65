namespace CryptoIndex.Engine.Planning;

/// <summary>
/// An exchange's limits for one symbol (Binance LOT_SIZE / MARKET_LOT_SIZE / NOTIONAL). A quantity must be a
/// multiple of <paramref name="StepSize"/> (0: no exchange step; quantities are then kept to
/// <see cref="UnrestrictedPlaces"/> decimal places), at least <paramref name="MinQuantity"/>, at most
/// <paramref name="MaxQuantity"/> when set, worth at least <paramref name="MinNotional"/> in the quote currency, and
/// at most <paramref name="MaxNotional"/> when set (valued at the plan's reference price).
/// <paramref name="Closed"/>: nothing is traded in the symbol (the exchange has no open market for it, or
/// <paramref name="ClosedReason"/> says why not), and each order the plan wanted is dropped and reported.
/// </summary>
public sealed record SymbolRules(
    decimal StepSize,
    decimal MinQuantity = 0m,
    decimal MinNotional = 0m,
    decimal? MaxQuantity = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] bool Closed = false,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? ClosedReason = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] decimal? MaxNotional = null)
{
    /// <summary>The rules of a symbol with no open market.</summary>
    public static SymbolRules MarketClosed { get; } = new(0m, Closed: true);

    /// <summary>The rules of a symbol the fund must not trade now, for <paramref name="reason"/> (it shows on every order dropped).</summary>
    public static SymbolRules NotTradable(string reason) => new(0m, Closed: true, ClosedReason: reason);

    /// <summary>No limits: what the planner assumes for a symbol the exchange gave no rules for.</summary>
    public static SymbolRules Unrestricted { get; } = new(0m);

    /// <summary>Decimal places of a quantity when the exchange sets no step: fine enough for any asset, and short
    /// enough that quantity × price stays exact in decimal for realistic prices.</summary>
    public const int UnrestrictedPlaces = 12;

    /// <summary>The largest allowed quantity not above <paramref name="quantity"/> (rounding down never over-trades).</summary>
    public decimal RoundDown(decimal quantity) =>
        StepSize > 0m ? DecimalMath.FloorToStep(quantity, StepSize) : DecimalMath.Normalize(DecimalMath.Truncate(quantity, UnrestrictedPlaces));
}
