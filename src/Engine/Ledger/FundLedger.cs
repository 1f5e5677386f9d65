using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Ledger;

/// <summary>
/// Applies fills to holdings. Exact: at the fill price, value before = value after + the value of the commission the
/// fund paid. An <see cref="FeeCurrency.External"/> commission is taken from the fund's own holding of its asset when
/// that covers it (then its value is that quantity at the asset's price), else it was paid from the account's pool of
/// that asset outside the fund (value 0 to the fund). One in the very asset a sell sells (Binance's BNB discount on a
/// BNB sell) is paid, like the exchange pays it, from what the order leaves of that asset (<see cref="ApplyOrder"/>).
/// A fill that would drive cash or a quantity below zero is refused with an error, leaving the holdings unchanged.
/// </summary>
public static class FundLedger
{
    public static EngineResult<Holdings> Apply(Holdings holdings, Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        return ApplyOrder(holdings, [fill]);
    }

    /// <summary>
    /// Applies the fills of one order. As <see cref="ApplyAll"/>, except that an <see cref="FeeCurrency.External"/>
    /// commission in the asset a sell sells is paid once every fill of the order has traded: an exchange sells the
    /// order's quantity and takes such a commission from what is left free, so the fund pays it only from what the
    /// order leaves it of that asset, and only when that covers it (else the account's pool outside the fund paid it,
    /// as for any External commission). The books never go below zero for it.
    /// </summary>
    public static EngineResult<Holdings> ApplyOrder(Holdings holdings, IReadOnlyList<Fill> fills)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(fills);
        var current = holdings;
        List<Fill>? fromWhatIsLeft = null;
        foreach (var fill in fills)
        {
            ArgumentNullException.ThrowIfNull(fill);
            var error = Check(fill);
            if (error is not null)
            {
                return error;
            }

            var applied = Trade(current, fill, payExternal: !InAssetSold(fill));
            if (!applied.IsSuccess)
            {
                return applied.Error;
            }

            current = applied.Value;
            if (InAssetSold(fill))
            {
                (fromWhatIsLeft ??= []).Add(fill);
            }
        }

        foreach (var fill in fromWhatIsLeft ?? [])
        {
            current = PayExternal(current, fill);
        }

        return current;
    }

    private static bool InAssetSold(Fill fill) =>
        fill.FeeCurrency == FeeCurrency.External && fill.Side == OrderSide.Sell && string.Equals(fill.FeeAsset, fill.Symbol, StringComparison.Ordinal);

    private static EngineResult<Holdings> Trade(Holdings holdings, Fill fill, bool payExternal)
    {
        var quantityDelta = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
        var cashDelta = fill.Side == OrderSide.Buy ? -fill.Notional : fill.Notional;
        switch (fill.FeeCurrency)
        {
            case FeeCurrency.Base:
                quantityDelta -= fill.Fee;
                break;
            case FeeCurrency.Quote:
                cashDelta -= fill.Fee;
                break;
            default:
                // External: paid in another asset of the account (below), or in the asset sold (after the order).
                break;
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

        var after = holdings.WithQuantity(fill.Symbol, quantity) with { Cash = cash };
        return payExternal ? PayExternal(after, fill) : after;
    }

    /// <summary>
    /// An External commission: another asset of the account paid it. One the fund holds enough of (BNB in a top-10 fund)
    /// paid it from the fund's own holding, in its own account. Less than the fee (dust of an asset that left the index,
    /// what a BNB exit leaves) cannot have paid it alone: the account's pool of that asset outside the fund did, and the
    /// fund's books, which cannot tell whose part, keep what they hold rather than stall the fund.
    /// </summary>
    private static Holdings PayExternal(Holdings holdings, Fill fill)
    {
        if (fill.FeeCurrency != FeeCurrency.External || fill.Fee <= 0m)
        {
            return holdings;
        }

        var held = holdings.QuantityOf(fill.FeeAsset!);
        return held >= fill.Fee ? holdings.WithQuantity(fill.FeeAsset!, held - fill.Fee) : holdings;
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

        return CheckFeeAsset(fill);
    }

    /// <summary>An external commission names the asset it was paid in; the others must not (their asset is implied).</summary>
    private static EngineError? CheckFeeAsset(Fill fill)
    {
        if (fill.FeeCurrency is not (FeeCurrency.Base or FeeCurrency.Quote or FeeCurrency.External))
        {
            return new EngineError(Rules.InvalidFill, "fill.feeCurrency", $"fill of {fill.Symbol}: unknown fee currency {(int)fill.FeeCurrency}");
        }

        if (fill.FeeCurrency != FeeCurrency.External)
        {
            return fill.FeeAsset is null
                ? null
                : new EngineError(Rules.InvalidFill, "fill.feeAsset", $"fill of {fill.Symbol}: a fee asset is only given for an External fee, not a {fill.FeeCurrency} one");
        }

        if (string.IsNullOrWhiteSpace(fill.FeeAsset))
        {
            return new EngineError(Rules.InvalidFill, "fill.feeAsset", $"fill of {fill.Symbol}: an External fee needs the asset it was paid in");
        }

        // A buy's commission in the asset bought is a Base fee (taken from what was received). A sell's in the asset sold
        // (Binance's BNB discount on a BNB sell) comes from the account's free balance of it: External, paid from what the
        // order leaves the fund (ApplyOrder).
        return fill.Side == OrderSide.Buy && string.Equals(fill.FeeAsset, fill.Symbol, StringComparison.Ordinal)
            ? new EngineError(Rules.InvalidFill, "fill.feeAsset", $"fill of {fill.Symbol}: a buy's fee paid in {fill.Symbol} itself is a Base fee, not an External one")
            : null;
    }
}
