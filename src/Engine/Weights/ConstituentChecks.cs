using System.Globalization;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// The checks of a fund's constituents that do not depend on market data, and the errors they report, shared by
/// <see cref="TargetWeights"/> (which checks everything on every call) and <see cref="IndexUniverse"/> (which checks
/// these once). Errors are built apart from the checks so that the checks, run once per asset, stay small enough to inline.
/// </summary>
internal static class ConstituentChecks
{
    /// <summary>A symbol that is not blank, and the constituent's own cap, if it has one, within [floor, 1].</summary>
    public static EngineError? SymbolAndCap(Constituent constituent, int index, WeightingRules rules)
    {
        if (constituent.Symbol is not { Length: > 0 } symbol || (char.IsWhiteSpace(symbol[0]) && string.IsNullOrWhiteSpace(symbol)))
        {
            return new EngineError(Rules.InvalidSymbol, Field(index, "symbol"), "symbol must not be empty");
        }

        if (constituent.Cap is { } cap)
        {
            var capError = WeightingValidation.CheckFraction(cap, Field(index, "cap"), Rules.CapOutOfRange, allowZero: false, rules.Precision);
            if (capError is not null)
            {
                return capError;
            }

            if (cap < rules.AssetFloor)
            {
                return new EngineError(
                    Rules.FloorAboveCap,
                    Field(index, "cap"),
                    $"cap {Format.Percent(cap, 8)} of {constituent.Symbol} is below the asset floor {Format.Percent(rules.AssetFloor, 8)}");
            }
        }

        return null;
    }

    /// <summary>
    /// The base weight that does not come from market data: the manual weight under Manual weighting (required, in
    /// (0, 1]), 1 under Equal weighting (where a manual weight is refused).
    /// </summary>
    public static EngineError? FixedBase(Constituent constituent, int index, WeightingScheme scheme, out decimal baseWeight)
    {
        if (scheme == WeightingScheme.Manual)
        {
            return ManualWeight(constituent, index, out baseWeight);
        }

        baseWeight = 1m;
        return constituent.ManualWeight is null
            ? null
            : new EngineError(Rules.ManualWeightNotAllowed, Field(index, "weight"), $"weight is only allowed with Manual weighting, not {scheme}");
    }

    public static EngineError? DuplicateSymbol(ReadOnlySpan<Constituent> constituents) => SymbolSet.FirstDuplicate(constituents) is var index and >= 0
        ? new EngineError(Rules.DuplicateSymbol, Field(index, "symbol"), $"symbol {constituents[index].Symbol} is listed more than once")
        : null;

    public static EngineError NoConstituents() => new(Rules.NoConstituents, "constituents", "a fund needs at least one constituent");

    public static EngineError MissingConstituent(int index) =>
        new(Rules.InvalidSymbol, string.Create(CultureInfo.InvariantCulture, $"constituents[{index}]"), "a constituent is missing (null)");

    public static EngineError ManualWeightsSum(decimal sum) => new(
        Rules.ManualWeightsSum,
        "constituents",
        $"manual weights sum to {Format.Percent(sum, 8)}; they must sum to exactly 100%");

    public static EngineError? Feasible(int count, decimal capSum, WeightingRules rules)
    {
        if (capSum < 1m)
        {
            return new EngineError(
                Rules.CapInfeasible,
                "assetCap",
                $"{count} constituents with caps summing to {Format.Percent(capSum, 8)} cannot hold 100%: raise assetCap or add constituents");
        }

        return rules.AssetFloor * count <= 1m
            ? null
            : new EngineError(
                Rules.FloorInfeasible,
                "assetFloor",
                $"{count} constituents × floor {Format.Percent(rules.AssetFloor, 8)} = {Format.Percent(rules.AssetFloor * count, 8)} exceeds 100%: lower assetFloor or remove constituents");
    }

    public static EngineError MissingMarketCap(string symbol) =>
        new(Rules.MissingMarketCap, MarketCapField(symbol), $"no market cap for {symbol}; market-cap weighting needs one");

    public static EngineError MarketCapOutOfRange(string symbol, decimal marketCap) => marketCap <= 0m
        ? new EngineError(
            Rules.NonPositiveMarketCap,
            MarketCapField(symbol),
            $"market cap of {symbol} is {marketCap.ToString(CultureInfo.InvariantCulture)}; it must be greater than 0")
        : new EngineError(
            Rules.MarketCapOutOfRange,
            MarketCapField(symbol),
            $"market cap of {symbol} is {marketCap.ToString(CultureInfo.InvariantCulture)}; market caps must be within {Format.Number(Limits.MinMarketCap)}..{Format.Number(Limits.MaxMarketCap)}");

    public static string Field(int index, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"constituents[{index}].{name}");

    private static EngineError? ManualWeight(Constituent constituent, int index, out decimal weight)
    {
        if (constituent.ManualWeight is not { } value)
        {
            weight = 0m;
            return new EngineError(Rules.MissingManualWeight, Field(index, "weight"), $"Manual weighting needs a weight for {constituent.Symbol}");
        }

        weight = value;
        return weight is > 0m and <= 1m
            ? null
            : new EngineError(
                Rules.ManualWeightOutOfRange,
                Field(index, "weight"),
                $"weight of {constituent.Symbol} is {Format.Percent(weight, 8)}; it must be greater than 0% and at most 100%");
    }

    private static string MarketCapField(string symbol) => $"prices[{symbol}].marketCap";
}
