using System.Buffers;
using System.Globalization;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Computes a fund's target weights: the base weight of each constituent from the weighting scheme, then the
/// exact capped (and floored) weights of <see cref="CappedWeightSolver"/>, rounded by
/// <see cref="LargestRemainderRounding"/>. An infeasible input returns an error naming the field and the rule.
/// </summary>
public static class TargetWeights
{
    // Scratch for the duplicate check, reused per thread so a call allocates nothing in proportion to n but its result.
    // Symbols compare ordinally: they are identifiers (the CRD restricts them to upper case).
    [ThreadStatic]
    private static HashSet<string>? seenSymbols;

    public static EngineResult<TargetAllocation> Compute(IReadOnlyList<Constituent> constituents, WeightingRules rules)
    {
        ArgumentNullException.ThrowIfNull(constituents);
        ArgumentNullException.ThrowIfNull(rules);
        var result = new TargetWeight[constituents.Count];
        return ComputeInto(constituents, rules, result) is { } error ? error : new TargetAllocation(result, rules);
    }

    /// <summary>
    /// <see cref="Compute"/> into a buffer the caller owns and reuses (one per fund, say): the same weights, in the
    /// same order, with no allocation at all; at 10,000 assets the result array would otherwise be a large-object-heap
    /// allocation and cost gen-2 collections. <paramref name="destination"/> must hold one entry per constituent.
    /// Returns null when the weights were written, else the error (and the buffer's content is unspecified).
    /// </summary>
    public static EngineError? ComputeInto(IReadOnlyList<Constituent> constituents, WeightingRules rules, Span<TargetWeight> destination)
    {
        ArgumentNullException.ThrowIfNull(constituents);
        ArgumentNullException.ThrowIfNull(rules);
        if (destination.Length < constituents.Count)
        {
            throw new ArgumentException($"the destination holds {destination.Length} weights, not the {constituents.Count} constituents need", nameof(destination));
        }

        var error = WeightingValidation.CheckRules(rules);
        if (error is not null)
        {
            return error;
        }

        var n = constituents.Count;
        if (n == 0)
        {
            return new EngineError(Rules.NoConstituents, "constituents", "a fund needs at least one constituent");
        }

        var bases = ArrayPool<decimal>.Shared.Rent(n);
        var caps = ArrayPool<decimal>.Shared.Rent(n);
        var weights = ArrayPool<decimal>.Shared.Rent(n);
        var symbols = ArrayPool<string>.Shared.Rent(n);
        var bounds = ArrayPool<WeightBound>.Shared.Rent(n);
        try
        {
            error = Gather(constituents, rules, symbols, bases, caps, out var uniformCaps);
            if (error is not null)
            {
                return error;
            }

            Solve(bases.AsSpan(0, n), caps.AsSpan(0, n), uniformCaps, rules, bases, symbols, weights.AsSpan(0, n), bounds.AsSpan(0, n));

            for (var i = 0; i < n; i++)
            {
                destination[i] = new TargetWeight(symbols[i], weights[i], bases[i], bounds[i]);
            }

            return null;
        }
        finally
        {
            ArrayPool<WeightBound>.Shared.Return(bounds);
            ArrayPool<string>.Shared.Return(symbols, clearArray: true);
            ArrayPool<decimal>.Shared.Return(weights);
            ArrayPool<decimal>.Shared.Return(caps);
            ArrayPool<decimal>.Shared.Return(bases);
        }
    }

    /// <summary>
    /// Classify in double, then round exactly in 128-bit integers; if the classification fails the exact check,
    /// classify again by the exact sweep; if the numbers are too large for 128 bits, do it all in decimal.
    /// </summary>
    private static void Solve(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        bool uniformCaps,
        WeightingRules rules,
        decimal[] baseArray,
        string[] symbols,
        Span<decimal> weights,
        Span<WeightBound> bounds)
    {
        var n = bases.Length;
        var units = ArrayPool<UInt128>.Shared.Rent(n);
        var approximations = ArrayPool<double>.Shared.Rent(n);
        try
        {
            if (FixedPointWeights.TryScaleBases(bases, units, approximations))
            {
                CappedWeightSolver.Classify(approximations.AsSpan(0, n), caps, uniformCaps, rules.AssetFloor, bounds);
                var outcome = FixedPointWeights.TryRound(units.AsSpan(0, n), approximations.AsSpan(0, n), caps, uniformCaps, rules.AssetFloor, bounds, rules.Precision, baseArray, symbols, weights);
                if (outcome == FixedPointWeights.Outcome.WrongClassification)
                {
                    CappedWeightSolver.ClassifyExactly(bases, caps, uniformCaps, rules.AssetFloor, bounds);
                    outcome = FixedPointWeights.TryRound(units.AsSpan(0, n), approximations.AsSpan(0, n), caps, uniformCaps, rules.AssetFloor, bounds, rules.Precision, baseArray, symbols, weights);
                }

                if (outcome == FixedPointWeights.Outcome.Rounded)
                {
                    return;
                }
            }

            CappedWeightSolver.Solve(bases, caps, uniformCaps, rules.AssetFloor, weights, bounds);
            LargestRemainderRounding.Round(weights, baseArray, symbols, rules.Precision);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(approximations);
            ArrayPool<UInt128>.Shared.Return(units);
        }
    }

    /// <summary>
    /// √market cap is correctly rounded to <see cref="SqrtBasePlaces"/> decimal places: at least 12 significant digits
    /// for any market cap ≥ 1, and short enough for the exact integer rounding of <see cref="FixedPointWeights"/>.
    /// </summary>
    internal const int SqrtBasePlaces = 12;

    /// <summary>
    /// Checks every constituent and, as it goes, writes its symbol, base and cap into the working arrays: one pass
    /// over the constituents. The first problem found is returned; the arrays are then meaningless.
    /// </summary>
    private static EngineError? Gather(
        IReadOnlyList<Constituent> constituents, WeightingRules rules, string[] symbols, decimal[] bases, decimal[] caps, out bool uniformCaps)
    {
        uniformCaps = true;
        var seen = seenSymbols ??= new HashSet<string>(StringComparer.Ordinal);
        seen.Clear();
        try
        {
            // Caps sum to n·assetCap plus what per-asset caps change: no per-asset decimal work in the common case.
            var capSum = rules.AssetCap * constituents.Count;
            var manualSum = 0m;
            for (var i = 0; i < constituents.Count; i++)
            {
                var constituent = constituents[i];
                var error = CheckConstituent(constituent, i, rules, out bases[i]);
                if (error is not null)
                {
                    return error;
                }

                if (!seen.Add(constituent.Symbol))
                {
                    return new EngineError(
                        Rules.DuplicateSymbol, Field(i, "symbol"), $"symbol {constituent.Symbol} is listed more than once");
                }

                symbols[i] = constituent.Symbol;
                caps[i] = rules.AssetCap;
                if (constituent.Cap is { } ownCap)
                {
                    capSum += ownCap - rules.AssetCap;
                    caps[i] = ownCap;
                    uniformCaps &= ownCap == rules.AssetCap;
                }

                if (rules.Scheme == WeightingScheme.Manual)
                {
                    manualSum += bases[i];
                }
            }

            if (rules.Scheme == WeightingScheme.Manual && manualSum != 1m)
            {
                return new EngineError(
                    Rules.ManualWeightsSum,
                    "constituents",
                    $"manual weights sum to {Format.Percent(manualSum, 8)}; they must sum to exactly 100%");
            }

            return CheckFeasible(constituents.Count, capSum, rules);
        }
        finally
        {
            seen.Clear();
        }
    }

    /// <summary>Checks one constituent and, when it is valid, gives its base weight under the scheme.</summary>
    private static EngineError? CheckConstituent(Constituent constituent, int index, WeightingRules rules, out decimal baseWeight)
    {
        baseWeight = 1m;
        if (string.IsNullOrWhiteSpace(constituent.Symbol))
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

        switch (rules.Scheme)
        {
            case WeightingScheme.MarketCap:
                return CheckMarketCap(constituent, out baseWeight);
            case WeightingScheme.SqrtMarketCap:
                var marketCapError = CheckMarketCap(constituent, out var marketCap);
                baseWeight = marketCapError is null ? DecimalMath.RoundedSqrt(marketCap, SqrtBasePlaces) : 0m;
                return marketCapError;
            case WeightingScheme.Manual:
                return CheckManualWeight(constituent, index, out baseWeight);
            default:
                return constituent.ManualWeight is null
                    ? null
                    : new EngineError(Rules.ManualWeightNotAllowed, Field(index, "weight"), $"weight is only allowed with Manual weighting, not {rules.Scheme}");
        }
    }

    private static EngineError? CheckMarketCap(Constituent constituent, out decimal marketCap)
    {
        if (constituent.MarketCap is not { } value)
        {
            marketCap = 0m;
            return MissingMarketCap(constituent);
        }

        marketCap = value;

        // Bounded so that no base is ever 0 (√ of a tiny cap at 12 places) and no sum of bases overflows. Far inside
        // the bounds the double decides (its error is about 10^-16 relative, the margin 10 %); near them decimal does.
        var approximation = (double)value;
        return approximation is > 0.011 and < 0.9e18 || value is >= Limits.MinMarketCap and <= Limits.MaxMarketCap
            ? null
            : MarketCapOutOfRange(constituent, value);
    }

    // Errors are built apart from the checks so that the checks, run once per asset, stay small enough to inline.
    private static EngineError MissingMarketCap(Constituent constituent) =>
        new(Rules.MissingMarketCap, MarketCapField(constituent), $"no market cap for {constituent.Symbol}; market-cap weighting needs one");

    private static EngineError MarketCapOutOfRange(Constituent constituent, decimal marketCap) => marketCap <= 0m
        ? new EngineError(
            Rules.NonPositiveMarketCap,
            MarketCapField(constituent),
            $"market cap of {constituent.Symbol} is {marketCap.ToString(CultureInfo.InvariantCulture)}; it must be greater than 0")
        : new EngineError(
            Rules.MarketCapOutOfRange,
            MarketCapField(constituent),
            $"market cap of {constituent.Symbol} is {marketCap.ToString(CultureInfo.InvariantCulture)}; market caps must be within {Format.Number(Limits.MinMarketCap)}..{Format.Number(Limits.MaxMarketCap)}");

    private static EngineError? CheckManualWeight(Constituent constituent, int index, out decimal weight)
    {
        if (constituent.ManualWeight is { } value)
        {
            weight = value;
        }
        else
        {
            weight = 0m;
            return new EngineError(Rules.MissingManualWeight, Field(index, "weight"), $"Manual weighting needs a weight for {constituent.Symbol}");
        }

        return weight is > 0m and <= 1m
            ? null
            : new EngineError(
                Rules.ManualWeightOutOfRange,
                Field(index, "weight"),
                $"weight of {constituent.Symbol} is {Format.Percent(weight, 8)}; it must be greater than 0% and at most 100%");
    }

    private static EngineError? CheckFeasible(int count, decimal capSum, WeightingRules rules)
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

    private static string MarketCapField(Constituent constituent) => $"prices[{constituent.Symbol}].marketCap";

    private static string Field(int index, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"constituents[{index}].{name}");
}
