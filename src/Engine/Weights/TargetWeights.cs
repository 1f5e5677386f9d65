using System.Buffers;
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
            return ConstituentChecks.NoConstituents();
        }

        // Arrays and lists are read as spans; any other list is copied once (its indexer is an interface call per read).
        var copy = constituents is Constituent[] or List<Constituent> ? null : ArrayPool<Constituent>.Shared.Rent(n);
        var work = WeightKernel.Working.Rent(n);
        try
        {
            var span = AsSpan(constituents, copy);
            error = Gather(span, rules, work, out var uniformCaps, out var unitsAtOneScale);
            if (error is not null)
            {
                return error;
            }

            WeightKernel.Solve(work, n, uniformCaps, unitsAtOneScale, rules, SymbolTieBreak.BySymbol(span), new TargetWeightSink(destination, span));
            return null;
        }
        finally
        {
            work.Return();
            if (copy is not null)
            {
                ArrayPool<Constituent>.Shared.Return(copy, clearArray: true);
            }
        }
    }

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
    /// Checks every constituent and, as it goes, writes its base and cap into the working arrays, and the base as an
    /// integer (its mantissa) and a double: one pass over the constituents (then one over their symbols for repeats).
    /// The mantissas are the bases at one common scale when every base has the same scale
    /// (<paramref name="unitsAtOneScale"/>), as market caps from one feed do; otherwise
    /// <see cref="FixedPointWeights.TryScaleBases"/> rescales them. The first problem found is returned; the arrays are
    /// then meaningless.
    /// </summary>
    private static EngineError? Gather(
        ReadOnlySpan<Constituent> constituents, WeightingRules rules, WeightKernel.Working work, out bool uniformCaps, out bool unitsAtOneScale)
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
                return ConstituentChecks.DuplicateSymbol(constituents[..i]) ?? ConstituentChecks.MissingConstituent(i);
            }

            var error = CheckConstituent(constituent, i, rules, scratch, out var baseWeight, out var baseParts);
            if (error is not null)
            {
                // Problems are reported in constituent order: a repeated symbol before this one comes first.
                return ConstituentChecks.DuplicateSymbol(constituents[..i]) ?? error;
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

        if (ConstituentChecks.DuplicateSymbol(constituents) is { } duplicate)
        {
            return duplicate;
        }

        if (rules.Scheme == WeightingScheme.SqrtMarketCap)
        {
            unitsAtOneScale = WeightKernel.SquareRootBases(work, constituents.Length);
        }

        if (rules.Scheme == WeightingScheme.Manual && manualSum != 1m)
        {
            return ConstituentChecks.ManualWeightsSum(manualSum);
        }

        FillCaps(constituents, work.Caps, rules.AssetCap, uniformCaps);
        return ConstituentChecks.Feasible(constituents.Length, capSum, rules);
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

    /// <summary>Checks one constituent and, when it is valid, gives its base weight under the scheme, also taken apart.</summary>
    private static EngineError? CheckConstituent(
        Constituent constituent, int index, WeightingRules rules, Span<int> scratch, out decimal baseWeight, out DecimalParts baseParts)
    {
        baseWeight = 1m;
        baseParts = default;
        var error = ConstituentChecks.SymbolAndCap(constituent, index, rules);
        if (error is not null)
        {
            return error;
        }

        if (rules.Scheme is WeightingScheme.MarketCap or WeightingScheme.SqrtMarketCap)
        {
            // √ of the market caps is taken afterwards for all assets at once (WeightKernel.SquareRootBases).
            return CheckMarketCap(constituent, scratch, out baseWeight, out baseParts);
        }

        error = ConstituentChecks.FixedBase(constituent, index, rules.Scheme, out baseWeight);
        baseParts = DecimalParts.Of(baseWeight, scratch);
        return error;
    }

    /// <summary>
    /// Gathers constituents from <paramref name="start"/> on while each is plain — a symbol, no cap of its own, a market
    /// cap in range whose mantissa fits in 64 bits, as a feed gives them — and returns the index of the first that is
    /// not (the length when all are). A small loop of its own, apart from the general checks, so that the processor
    /// and the JIT see only this.
    /// </summary>
    private static int GatherPlainMarketCaps(
        ReadOnlySpan<Constituent> constituents, int start, WeightKernel.Working work, ref int firstScale, ref bool unitsAtOneScale)
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
            return ConstituentChecks.MissingMarketCap(constituent.Symbol);
        }

        // Bounded so that no base is ever 0 (√ of a tiny cap at 12 places) and no sum of bases overflows.
        marketCap = value;
        parts = DecimalParts.Of(value, scratch);
        return MarketCapRange.Contains(parts) ? null : ConstituentChecks.MarketCapOutOfRange(constituent.Symbol, value);
    }
}
