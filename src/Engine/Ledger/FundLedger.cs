using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Ledger;

/// <summary>
/// Applies fills to holdings. Exact: at the fill price, value before = value after + the commission's value, and a
/// fill that would drive cash or a quantity below zero is refused with an error, leaving the holdings unchanged.
/// </summary>
public static class FundLedger
{
    public static EngineResult<Holdings> Apply(Holdings holdings, Fill fill)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(fill);

        var error = Check(fill);
        if (error is not null)
        {
            return error;
        }

        var quantityDelta = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
        var cashDelta = fill.Side == OrderSide.Buy ? -fill.Notional : fill.Notional;
        if (fill.FeeCurrency == FeeCurrency.Base)
        {
            quantityDelta -= fill.Fee;
        }
        else
        {
            cashDelta -= fill.Fee;
        }

        var quantity = holdings.QuantityOf(fill.Symbol) + quantityDelta;
        var cash = holdings.Cash + cashDelta;
        if (cash < 0m)
        {
            return new EngineError(
                Rules.InsufficientCash,
                "holdings.cash",
                $"{fill.Side} {Format.Number(fill.Quantity)} {fill.Symbol} needs {Format.Number(-cashDelta)} but cash is {Format.Number(holdings.Cash)}");
        }

        if (quantity < 0m)
        {
            return new EngineError(
                Rules.InsufficientQuantity,
                $"holdings[{fill.Symbol}]",
                $"{fill.Side} {Format.Number(fill.Quantity)} {fill.Symbol} (fee included) exceeds the {Format.Number(holdings.QuantityOf(fill.Symbol))} held");
        }

        return holdings.WithQuantity(fill.Symbol, quantity) with { Cash = cash };
    }

    /// <summary>Applies fills in order; on the first refused fill returns its error and none of the fills.</summary>
    public static EngineResult<Holdings> ApplyAll(Holdings holdings, IEnumerable<Fill> fills)
    {
        ArgumentNullException.ThrowIfNull(fills);
        var current = holdings;
        foreach (var fill in fills)
        {
            var applied = Apply(current, fill);
            if (!applied.IsSuccess)
            {
                return applied.Error;
            }

            current = applied.Value;
        }

        return current;
    }

    private static EngineError? Check(Fill fill)
    {
        if (string.IsNullOrWhiteSpace(fill.Symbol))
        {
            return new EngineError(Rules.InvalidFill, "fill.symbol", "a fill needs a symbol");
        }

        if (fill.Price > 0m && (fill.Price is < Limits.MinPrice or > Limits.MaxPrice || fill.Quantity > Limits.MaxValue / fill.Price))
        {
            return new EngineError(
                Rules.ValueOutOfRange, "fill", $"fill of {fill.Symbol}: {Format.Number(fill.Quantity)} at {Format.Number(fill.Price)} is outside the Engine's limits");
        }

        if (fill.Quantity <= 0m || fill.Price <= 0m || fill.Fee < 0m || (fill.FeeCurrency == FeeCurrency.Base ? fill.Fee > fill.Quantity : fill.Fee > Limits.MaxValue))
        {
            return new EngineError(
                Rules.InvalidFill,
                "fill",
                $"fill of {fill.Symbol} needs quantity > 0, price > 0 and 0 ≤ fee ≤ what it is charged on (got {Format.Number(fill.Quantity)} at {Format.Number(fill.Price)}, fee {Format.Number(fill.Fee)})");
        }

        return null;
    }
}
