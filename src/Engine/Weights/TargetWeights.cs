using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Computes a fund's target weights: the base weight of each constituent from the weighting scheme, then the
/// exact capped (and floored) weights of <see cref="CappedWeightSolver"/>, rounded by
/// <see cref="LargestRemainderRounding"/>. An infeasible input returns an error naming the field and the rule.
/// </summary>
public static class TargetWeights
{
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

        // Arrays and lists are read as spans; any other list is copied once (its indexer is an interface call per read).
        var copy = constituents is Constituent[] or List<Constituent> ? null : ArrayPool<Constituent>.Shared.Rent(n);
        var bases = ArrayPool<decimal>.Shared.Rent(n);
        var caps = ArrayPool<decimal>.Shared.Rent(n);
        var bounds = ArrayPool<WeightBound>.Shared.Rent(n);
        var units = ArrayPool<UInt128>.Shared.Rent(n);
        var approximations = ArrayPool<double>.Shared.Rent(n);
        try
        {
            var work = new Working(bases, caps, units, approximations);
            var span = AsSpan(constituents, copy);
            error = Gather(span, rules, work, out var uniformCaps, out var unitsAtOneScale);
            if (error is not null)
            {
                return error;
            }

            Solve(span, work, uniformCaps, unitsAtOneScale, rules, bounds.AsSpan(0, n), destination);
            return null;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(approximations);
            ArrayPool<UInt128>.Shared.Return(units);
            ArrayPool<WeightBound>.Shared.Return(bounds);
            ArrayPool<decimal>.Shared.Return(caps);
            ArrayPool<decimal>.Shared.Return(bases);
            if (copy is not null)
            {
                ArrayPool<Constituent>.Shared.Return(copy, clearArray: true);
            }
        }
    }

    /// <summary>
    /// The per-asset working arrays (rented, longer than n): base, cap, and the base as an integer at one common scale
    /// and as a double. Symbols are read from the constituents themselves: copying each reference costs a GC write barrier.
    /// </summary>
    private readonly record struct Working(decimal[] Bases, decimal[] Caps, UInt128[] Units, double[] Approximations);

    private static ReadOnlySpan<Constituent> AsSpan(IReadOnlyList<Constituent> constituents, Constituent[]? copy)
    {
        switch (constituents)
        {
            case Constituent[] array:
                return array;
            case List<Constituent> list:
                return CollectionsMarshal.AsSpan(list);
            default:
                for (var i = 0; i < constituents.Count; i++)
                {
                    copy![i] = constituents[i];
                }

                return copy.AsSpan(0, constituents.Count);
        }
    }

    /// <summary>
    /// Classify in double, then round exactly in 128-bit integers; if the classification fails the exact check,
    /// classify again by the exact sweep; if the numbers are too large for 128 bits, do it all in decimal. Writes the
    /// results into <paramref name="destination"/>.
    /// </summary>
    private static void Solve(
        ReadOnlySpan<Constituent> constituents, Working work, bool uniformCaps, bool unitsAtOneScale, WeightingRules rules, Span<WeightBound> bounds, Span<TargetWeight> destination)
    {
        var n = constituents.Length;
        var bases = work.Bases.AsSpan(0, n);
        var caps = work.Caps.AsSpan(0, n);
        var units = work.Units.AsSpan(0, n);
        var approximations = work.Approximations.AsSpan(0, n);
        if (unitsAtOneScale || FixedPointWeights.TryScaleBases(bases, units, approximations))
        {
            CappedWeightSolver.Classify(approximations, caps, uniformCaps, rules.AssetFloor, bounds);
            var outcome = FixedPointWeights.TryRound(units, approximations, caps, uniformCaps, rules.AssetFloor, bounds, rules.Precision, work.Bases, constituents, destination);
            if (outcome == FixedPointWeights.Outcome.WrongClassification)
            {
                CappedWeightSolver.ClassifyExactly(bases, caps, uniformCaps, rules.AssetFloor, bounds);
                outcome = FixedPointWeights.TryRound(units, approximations, caps, uniformCaps, rules.AssetFloor, bounds, rules.Precision, work.Bases, constituents, destination);
            }

            if (outcome == FixedPointWeights.Outcome.Rounded)
            {
                return;
            }
        }

        // Numbers beyond 128 bits: decimal throughout, in an array rented only here.
        var weights = ArrayPool<decimal>.Shared.Rent(n);
        try
        {
            CappedWeightSolver.Solve(bases, caps, uniformCaps, rules.AssetFloor, weights.AsSpan(0, n), bounds);
            LargestRemainderRounding.Round(weights.AsSpan(0, n), work.Bases, constituents, rules.Precision);
            for (var i = 0; i < n; i++)
            {
                destination[i] = new TargetWeight(constituents[i].Symbol, weights[i], bases[i], bounds[i]);
            }
        }
        finally
        {
            ArrayPool<decimal>.Shared.Return(weights);
        }
    }

    /// <summary>
    /// √market cap is correctly rounded to <see cref="SqrtBasePlaces"/> decimal places: at least 12 significant digits
    /// for any market cap ≥ 1, and short enough for the exact integer rounding of <see cref="FixedPointWeights"/>.
    /// </summary>
    internal const int SqrtBasePlaces = 12;

    /// <summary>
    /// Checks every constituent and, as it goes, writes its base and cap into the working arrays, and the base as an
    /// integer (its mantissa) and a double: one pass over the constituents (then one over their symbols for repeats). The mantissas are the bases at one
    /// common scale when every base has the same scale (<paramref name="unitsAtOneScale"/>), as market caps from one
    /// feed do; otherwise <see cref="FixedPointWeights.TryScaleBases"/> rescales them. The first problem found is
    /// returned; the arrays are then meaningless.
    /// </summary>
    private static EngineError? Gather(
        ReadOnlySpan<Constituent> constituents, WeightingRules rules, Working work, out bool uniformCaps, out bool unitsAtOneScale)
    {
        uniformCaps = true;
        unitsAtOneScale = true;

        // Caps sum to n·assetCap plus what per-asset caps change: no per-asset decimal work in the common case.
        var capSum = rules.AssetCap * constituents.Length;
        var manualSum = 0m;
        var firstScale = -1;
        var marketCaps = rules.Scheme is WeightingScheme.MarketCap or WeightingScheme.SqrtMarketCap;
        Span<int> scratch = stackalloc int[4];
        for (var i = 0; i < constituents.Length; i++)
        {
            if (marketCaps)
            {
                i = GatherPlainMarketCaps(constituents, i, work, ref firstScale, ref unitsAtOneScale);
                if (i == constituents.Length)
                {
                    break;
                }
            }

            var constituent = constituents[i];
            if (constituent is null)
            {
                return DuplicateSymbol(constituents[..i])
                    ?? new EngineError(Rules.InvalidSymbol, string.Create(CultureInfo.InvariantCulture, $"constituents[{i}]"), "a constituent is missing (null)");
            }

            var error = CheckConstituent(constituent, i, rules, scratch, out var baseWeight, out var baseParts);
            if (error is not null)
            {
                // Problems are reported in constituent order: a repeated symbol before this one comes first.
                return DuplicateSymbol(constituents[..i]) ?? error;
            }

            work.Bases[i] = baseWeight;
            work.Units[i] = baseParts.Mantissa;
            work.Approximations[i] = baseParts.MantissaEstimate;
            firstScale = firstScale < 0 ? baseParts.Scale : firstScale;
            unitsAtOneScale &= baseParts.Scale == firstScale;
            work.Caps[i] = rules.AssetCap;
            if (constituent.Cap is { } ownCap)
            {
                capSum += ownCap - rules.AssetCap;
                work.Caps[i] = ownCap;
                uniformCaps &= ownCap == rules.AssetCap;
            }

            if (rules.Scheme == WeightingScheme.Manual)
            {
                manualSum += baseWeight;
            }
        }

        if (DuplicateSymbol(constituents) is { } duplicate)
        {
            return duplicate;
        }

        if (rules.Scheme == WeightingScheme.SqrtMarketCap)
        {
            unitsAtOneScale = SquareRootBases(work, constituents.Length);
        }

        if (rules.Scheme == WeightingScheme.Manual && manualSum != 1m)
        {
            return new EngineError(
                Rules.ManualWeightsSum,
                "constituents",
                $"manual weights sum to {Format.Percent(manualSum, 8)}; they must sum to exactly 100%");
        }

        FillCaps(constituents, work.Caps, rules.AssetCap, uniformCaps);
        return CheckFeasible(constituents.Length, capSum, rules);
    }

    /// <summary>
    /// The fund-wide cap for every constituent without its own (the plain-market-cap loop leaves them unwritten): one
    /// vectorized fill in the usual case, where no constituent has a cap of its own.
    /// </summary>
    private static void FillCaps(ReadOnlySpan<Constituent> constituents, decimal[] caps, decimal assetCap, bool uniformCaps)
    {
        if (uniformCaps)
        {
            caps.AsSpan(0, constituents.Length).Fill(assetCap);
            return;
        }

        for (var i = 0; i < constituents.Length; i++)
        {
            caps[i] = constituents[i].Cap ?? assetCap;
        }
    }

    /// <summary>
    /// Replaces each market cap by its square root, correctly rounded to <see cref="SqrtBasePlaces"/> places. A loop of
    /// its own, so that the roots of successive assets (each a chain of conversions, a square root and a division)
    /// overlap in the processor instead of waiting on each other inside the longer per-asset checks. True when every
    /// root came out at the same scale (always, unless a market cap needed the decimal fallback).
    /// </summary>
    private static bool SquareRootBases(Working work, int n)
    {
        var atOneScale = true;
        Span<int> scratch = stackalloc int[4];
        for (var i = 0; i < n; i++)
        {
            if (DecimalMath.TryRoundedSqrtUnits(DecimalParts.Of(work.Bases[i], scratch), SqrtBasePlaces, out var root))
            {
                work.Bases[i] = DecimalMath.FromUnits(root, SqrtBasePlaces);
                work.Units[i] = root;
                work.Approximations[i] = root;
            }
            else
            {
                work.Bases[i] = DecimalMath.RoundedSqrtBig(DecimalParts.Of(work.Bases[i], scratch), SqrtBasePlaces);
                var parts = DecimalParts.Of(work.Bases[i], scratch);
                work.Units[i] = parts.Mantissa;
                work.Approximations[i] = parts.MantissaEstimate;
                atOneScale &= parts.Scale == SqrtBasePlaces;
            }
        }

        return atOneScale;
    }

    private static EngineError? DuplicateSymbol(ReadOnlySpan<Constituent> constituents) => SymbolSet.FirstDuplicate(constituents) is var index and >= 0
        ? new EngineError(Rules.DuplicateSymbol, Field(index, "symbol"), $"symbol {constituents[index].Symbol} is listed more than once")
        : null;

    /// <summary>Checks one constituent and, when it is valid, gives its base weight under the scheme, also taken apart.</summary>
    private static EngineError? CheckConstituent(
        Constituent constituent, int index, WeightingRules rules, Span<int> scratch, out decimal baseWeight, out DecimalParts baseParts)
    {
        baseWeight = 1m;
        baseParts = default;
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

        EngineError? error;
        switch (rules.Scheme)
        {
            case WeightingScheme.MarketCap or WeightingScheme.SqrtMarketCap:
                // √ of the market caps is taken afterwards for all assets at once (SquareRootBases).
                return CheckMarketCap(constituent, scratch, out baseWeight, out baseParts);
            case WeightingScheme.Manual:
                error = CheckManualWeight(constituent, index, out baseWeight);
                baseParts = DecimalParts.Of(baseWeight, scratch);
                return error;
            default:
                baseParts = DecimalParts.Of(baseWeight, scratch);
                return constituent.ManualWeight is null
                    ? null
                    : new EngineError(Rules.ManualWeightNotAllowed, Field(index, "weight"), $"weight is only allowed with Manual weighting, not {rules.Scheme}");
        }
    }

    /// <summary>
    /// Gathers constituents from <paramref name="start"/> on while each is plain — a symbol, no cap of its own, a market
    /// cap in range whose mantissa fits in 64 bits, as a feed gives them — and returns the index of the first that is
    /// not (the length when all are). A small loop of its own, apart from the general checks, so that the processor
    /// and the JIT see only this.
    /// </summary>
    private static int GatherPlainMarketCaps(
        ReadOnlySpan<Constituent> constituents, int start, Working work, ref int firstScale, ref bool unitsAtOneScale)
    {
        var (bases, units, approximations) = (work.Bases, work.Units, work.Approximations);
        var atOneScale = unitsAtOneScale;
        var commonScale = firstScale;
        var i = start;
        for (; i < constituents.Length; i++)
        {
            var constituent = constituents[i];
            if (constituent is null || constituent.Cap is not null || !TryPlainMarketCap(constituent, out var mantissa, out var scale))
            {
                break;
            }

            bases[i] = constituent.MarketCap.GetValueOrDefault();
            units[i] = mantissa;
            approximations[i] = mantissa;
            commonScale = commonScale < 0 ? scale : commonScale;
            atOneScale &= scale == commonScale;
        }

        (firstScale, unitsAtOneScale) = (commonScale, atOneScale);
        return i;
    }

    /// <summary>
    /// A constituent with a symbol and a market cap in range whose mantissa fits in 64 bits: what a feed gives. False
    /// sends it down the general path, which finds what is wrong, if anything.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryPlainMarketCap(Constituent constituent, out ulong mantissa, out int scale)
    {
        mantissa = 0;
        scale = 0;
        return constituent.Symbol is { Length: > 0 } symbol
            && !char.IsWhiteSpace(symbol[0])
            && constituent.MarketCap is { } marketCap
            && DecimalParts.TryNarrow(marketCap, out mantissa, out scale)
            && MarketCapRange.ContainsNarrow(mantissa, scale);
    }

    private static EngineError? CheckMarketCap(Constituent constituent, Span<int> scratch, out decimal marketCap, out DecimalParts parts)
    {
        if (constituent.MarketCap is not { } value)
        {
            marketCap = 0m;
            parts = default;
            return MissingMarketCap(constituent);
        }

        // Bounded so that no base is ever 0 (√ of a tiny cap at 12 places) and no sum of bases overflows.
        marketCap = value;
        parts = DecimalParts.Of(value, scratch);
        return MarketCapRange.Contains(parts) ? null : MarketCapOutOfRange(constituent, value);
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
