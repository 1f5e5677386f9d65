using System.Buffers;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// A fund's constituents and weighting rules, checked once — symbols (present, distinct), per-asset caps, manual
/// weights, feasibility of the caps and floor — so that each computation of target weights checks only what changes
/// between computations: the market caps. For callers that weigh the same constituents many times: a backtest (once a
/// day), a sweep, a price tick over a large index. <see cref="TargetWeights.Compute"/> gives the same weights, in the
/// same order, checking everything on every call. Immutable once created: one universe may be used from several
/// threads at once (each computation rents its own scratch space).
/// </summary>
public sealed class IndexUniverse
{
    private readonly Constituent[] constituents;
    private readonly decimal[] caps;
    private readonly int[] symbolRanks;
    private readonly bool uniformCaps;

    // Equal and manual weights do not depend on market data: solved once, by Create.
    private readonly TargetWeight[]? fixedWeights;

    private IndexUniverse(Constituent[] constituents, WeightingRules rules, decimal[] caps, bool uniformCaps, TargetWeight[]? fixedWeights)
    {
        this.constituents = constituents;
        this.caps = caps;
        this.uniformCaps = uniformCaps;
        this.fixedWeights = fixedWeights;
        Rules = rules;
        Symbols = Array.AsReadOnly(Array.ConvertAll(constituents, c => c.Symbol));
        symbolRanks = RanksInOrdinalOrder(constituents);
    }

    public WeightingRules Rules { get; }

    /// <summary>The constituents' symbols, in the order they were given: the order of market caps and weights.</summary>
    public IReadOnlyList<string> Symbols { get; }

    public int Count => constituents.Length;

    /// <summary>
    /// Whether the weights depend on market caps (market cap and √ market cap weighting). When not, the market caps
    /// given to <see cref="WeightsInto"/> and <see cref="Compute"/> are not read.
    /// </summary>
    public bool NeedsMarketCaps => fixedWeights is null;

    /// <summary>
    /// Checks the constituents and rules. A constituent's <see cref="Constituent.MarketCap"/> is not read: market caps
    /// are given to each computation. The first problem is returned, naming the field and the rule.
    /// </summary>
    public static EngineResult<IndexUniverse> Create(IReadOnlyList<Constituent> constituents, WeightingRules rules)
    {
        ArgumentNullException.ThrowIfNull(constituents);
        ArgumentNullException.ThrowIfNull(rules);
        if (WeightingValidation.CheckRules(rules) is { } rulesError)
        {
            return rulesError;
        }

        var n = constituents.Count;
        if (n == 0)
        {
            return ConstituentChecks.NoConstituents();
        }

        var copy = constituents.ToArray();
        var caps = new decimal[n];
        var capSum = 0m;
        var manualSum = 0m;
        var uniformCaps = true;
        for (var i = 0; i < n; i++)
        {
            var constituent = copy[i];
            var error = constituent is null ? ConstituentChecks.MissingConstituent(i) : Check(constituent, i, rules, ref manualSum);
            if (error is not null)
            {
                // Problems are reported in constituent order, as TargetWeights reports them.
                return ConstituentChecks.DuplicateSymbol(copy.AsSpan(0, i)) ?? error;
            }

            caps[i] = constituent!.Cap ?? rules.AssetCap;
            capSum += caps[i];
            uniformCaps &= caps[i] == rules.AssetCap;
        }

        if (uniformCaps)
        {
            // As TargetWeights does: a capped weight is its cap, so an own cap of 0.50 beside an assetCap of 0.5 must
            // not show through as a weight written 0.50.
            Array.Fill(caps, rules.AssetCap);
        }

        if (ConstituentChecks.DuplicateSymbol(copy) is { } duplicate)
        {
            return duplicate;
        }

        if (rules.Scheme == WeightingScheme.Manual && manualSum != 1m)
        {
            return ConstituentChecks.ManualWeightsSum(manualSum);
        }

        if (ConstituentChecks.Feasible(n, capSum, rules) is { } infeasible)
        {
            return infeasible;
        }

        TargetWeight[]? fixedWeights = null;
        if (rules.Scheme is not (WeightingScheme.MarketCap or WeightingScheme.SqrtMarketCap))
        {
            fixedWeights = new TargetWeight[n];
            if (TargetWeights.ComputeInto(copy, rules, fixedWeights) is { } error)
            {
                throw new InvalidOperationException($"constituents passed the universe's checks but not the weighting's: {error}");
            }
        }

        return new IndexUniverse(copy, rules, caps, uniformCaps, fixedWeights);
    }

    /// <summary>
    /// The rounded target weights for these market caps (one per constituent, in <see cref="Symbols"/> order) into
    /// <paramref name="weights"/>, allocating nothing: the hot path, with no symbol or record per asset. Returns null
    /// when the weights were written, else the first market cap out of range (the buffer's content is then
    /// unspecified). Market caps are read only when <see cref="NeedsMarketCaps"/>; otherwise they may be empty.
    /// </summary>
    public EngineError? WeightsInto(ReadOnlySpan<decimal> marketCaps, Span<decimal> weights)
    {
        if (weights.Length < Count)
        {
            throw new ArgumentException($"the destination holds {weights.Length} weights, not the {Count} constituents need", nameof(weights));
        }

        if (fixedWeights is not null)
        {
            for (var i = 0; i < fixedWeights.Length; i++)
            {
                weights[i] = fixedWeights[i].Weight;
            }

            return null;
        }

        return Solve(marketCaps, new PlainWeightSink(weights));
    }

    /// <summary>
    /// The target weights as a <see cref="TargetAllocation"/>, the form <see cref="TargetWeights.Compute"/> gives,
    /// from market caps that may be missing (null: reported as such). When not <see cref="NeedsMarketCaps"/> they are
    /// not read, and may be empty.
    /// </summary>
    public EngineResult<TargetAllocation> Compute(IReadOnlyList<decimal?> marketCaps)
    {
        ArgumentNullException.ThrowIfNull(marketCaps);
        if (fixedWeights is not null)
        {
            return new TargetAllocation((TargetWeight[])fixedWeights.Clone(), Rules);
        }

        CheckCount(marketCaps.Count, nameof(marketCaps));
        Span<int> scratch = stackalloc int[4];
        var values = ArrayPool<decimal>.Shared.Rent(Count);
        try
        {
            for (var i = 0; i < Count; i++)
            {
                // In constituent order, as TargetWeights reports them: a missing market cap or the first out of range
                // (Solve checks the range again; this convenient path pays for it, WeightsInto does not).
                if (marketCaps[i] is not { } marketCap)
                {
                    return ConstituentChecks.MissingMarketCap(constituents[i].Symbol);
                }

                if (!MarketCapRange.Contains(DecimalParts.Of(marketCap, scratch)))
                {
                    return ConstituentChecks.MarketCapOutOfRange(constituents[i].Symbol, marketCap);
                }

                values[i] = marketCap;
            }

            var result = new TargetWeight[Count];
            return Solve(values.AsSpan(0, Count), new TargetWeightSink(result, constituents)) is { } error ? error : new TargetAllocation(result, Rules);
        }
        finally
        {
            ArrayPool<decimal>.Shared.Return(values);
        }
    }

    private static EngineError? Check(Constituent constituent, int index, WeightingRules rules, ref decimal manualSum)
    {
        var error = ConstituentChecks.SymbolAndCap(constituent, index, rules);
        if (error is not null || rules.Scheme is WeightingScheme.MarketCap or WeightingScheme.SqrtMarketCap)
        {
            return error;
        }

        error = ConstituentChecks.FixedBase(constituent, index, rules.Scheme, out var baseWeight);
        manualSum += baseWeight;
        return error;
    }

    private static int[] RanksInOrdinalOrder(Constituent[] constituents)
    {
        var order = new int[constituents.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (x, y) => string.CompareOrdinal(constituents[x].Symbol, constituents[y].Symbol));
        var ranks = new int[order.Length];
        for (var rank = 0; rank < order.Length; rank++)
        {
            ranks[order[rank]] = rank;
        }

        return ranks;
    }

    private void CheckCount(int marketCapCount, string paramName)
    {
        if (marketCapCount != Count)
        {
            throw new ArgumentException($"{marketCapCount} market caps given for {Count} constituents; give one per constituent, in Symbols order", paramName);
        }
    }

    private EngineError? Solve<TSink>(ReadOnlySpan<decimal> marketCaps, TSink destination)
        where TSink : IWeightSink, allows ref struct
    {
        CheckCount(marketCaps.Length, nameof(marketCaps));
        var n = Count;
        var work = WeightKernel.Working.Rent(n, caps);
        try
        {
            var error = GatherMarketCaps(marketCaps, work, out var unitsAtOneScale);
            if (error is not null)
            {
                return error;
            }

            if (Rules.Scheme == WeightingScheme.SqrtMarketCap)
            {
                unitsAtOneScale = WeightKernel.SquareRootBases(work, n);
            }

            WeightKernel.Solve(work, n, uniformCaps, unitsAtOneScale, Rules, SymbolTieBreak.ByRank(symbolRanks), destination);
            return null;
        }
        finally
        {
            work.Return();
        }
    }

    /// <summary>
    /// Checks each market cap against <see cref="Limits.MinMarketCap"/>..<see cref="Limits.MaxMarketCap"/> and writes it,
    /// its mantissa and that mantissa as a double into the working arrays; true in <paramref name="unitsAtOneScale"/>
    /// when every market cap has the same scale, as a feed's do.
    /// </summary>
    private EngineError? GatherMarketCaps(ReadOnlySpan<decimal> marketCaps, WeightKernel.Working work, out bool unitsAtOneScale)
    {
        var (bases, units, approximations) = (work.Bases, work.Units, work.Approximations);
        var atOneScale = true;
        var commonScale = -1;
        Span<int> scratch = stackalloc int[4];
        for (var i = 0; i < marketCaps.Length; i++)
        {
            var marketCap = marketCaps[i];
            int scale;
            if (DecimalParts.TryNarrow(marketCap, out var mantissa, out scale) && MarketCapRange.ContainsNarrow(mantissa, scale))
            {
                units[i] = mantissa;
                approximations[i] = mantissa;
            }
            else
            {
                var parts = DecimalParts.Of(marketCap, scratch);
                if (!MarketCapRange.Contains(parts))
                {
                    unitsAtOneScale = false;
                    return ConstituentChecks.MarketCapOutOfRange(constituents[i].Symbol, marketCap);
                }

                units[i] = parts.Mantissa;
                approximations[i] = parts.MantissaEstimate;
                scale = parts.Scale;
            }

            bases[i] = marketCap;
            commonScale = commonScale < 0 ? scale : commonScale;
            atOneScale &= scale == commonScale;
        }

        unitsAtOneScale = atOneScale;
        return null;
    }
}
