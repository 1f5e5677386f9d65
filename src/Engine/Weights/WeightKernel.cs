using System.Buffers;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// The numeric core shared by <see cref="TargetWeights"/> and <see cref="IndexUniverse"/>: from checked bases and caps
/// in working arrays to rounded weights written into a sink. Classify in double, then round exactly in 128-bit
/// integers; if the classification fails the exact check, classify again by the exact sweep; if the numbers are too
/// large for 128 bits, do it all in decimal.
/// </summary>
internal static class WeightKernel
{
    /// <summary>
    /// √market cap is correctly rounded to <see cref="SqrtBasePlaces"/> decimal places: at least 12 significant digits
    /// for any market cap ≥ 1, and short enough for the exact integer rounding of <see cref="FixedPointWeights"/>.
    /// </summary>
    public const int SqrtBasePlaces = 12;

    /// <summary>
    /// Solves for the first <paramref name="n"/> entries of the working arrays and writes each asset's result into
    /// <paramref name="destination"/>. The caller has checked every input (bases in range, caps within [floor, 1],
    /// feasibility).
    /// </summary>
    public static void Solve<TSink>(
        Working work, int n, bool uniformCaps, bool unitsAtOneScale, WeightingRules rules, SymbolTieBreak symbols, TSink destination)
        where TSink : IWeightSink, allows ref struct
    {
        var bases = work.Bases.AsSpan(0, n);
        var caps = work.Caps.AsSpan(0, n);
        var units = work.Units.AsSpan(0, n);
        var approximations = work.Approximations.AsSpan(0, n);
        var bounds = work.Bounds.AsSpan(0, n);
        if (unitsAtOneScale || FixedPointWeights.TryScaleBases(bases, units, approximations))
        {
            CappedWeightSolver.Classify(approximations, caps, uniformCaps, rules.AssetFloor, bounds);
            var outcome = FixedPointWeights.TryRound(units, approximations, caps, uniformCaps, rules.AssetFloor, bounds, rules.Precision, work.Bases, symbols, destination);
            if (outcome == FixedPointWeights.Outcome.WrongClassification)
            {
                CappedWeightSolver.ClassifyExactly(bases, caps, uniformCaps, rules.AssetFloor, bounds);
                outcome = FixedPointWeights.TryRound(units, approximations, caps, uniformCaps, rules.AssetFloor, bounds, rules.Precision, work.Bases, symbols, destination);
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
            LargestRemainderRounding.Round(weights.AsSpan(0, n), work.Bases, symbols, rules.Precision);
            for (var i = 0; i < n; i++)
            {
                destination.Write(i, weights[i], bases[i], bounds[i]);
            }
        }
        finally
        {
            ArrayPool<decimal>.Shared.Return(weights);
        }
    }

    /// <summary>
    /// Replaces each market cap by its square root, correctly rounded to <see cref="SqrtBasePlaces"/> places. A loop of
    /// its own, so that the roots of successive assets (each a chain of conversions, a square root and a division)
    /// overlap in the processor instead of waiting on each other inside the longer per-asset checks. True when every
    /// root came out at the same scale (always, unless a market cap needed the decimal fallback).
    /// </summary>
    public static bool SquareRootBases(Working work, int n)
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

    /// <summary>
    /// The per-asset working arrays (rented, at least n long): base, cap, the base as an integer at one common scale
    /// and as a double, and the bound that decides each weight. Caps are the caller's own when it has them already
    /// (an <see cref="IndexUniverse"/>'s), else rented too.
    /// </summary>
    public readonly record struct Working(decimal[] Bases, decimal[] Caps, UInt128[] Units, double[] Approximations, WeightBound[] Bounds, bool CapsRented)
    {
        public static Working Rent(int n, decimal[]? caps = null) => new(
            ArrayPool<decimal>.Shared.Rent(n),
            caps ?? ArrayPool<decimal>.Shared.Rent(n),
            ArrayPool<UInt128>.Shared.Rent(n),
            ArrayPool<double>.Shared.Rent(n),
            ArrayPool<WeightBound>.Shared.Rent(n),
            CapsRented: caps is null);

        public void Return()
        {
            ArrayPool<WeightBound>.Shared.Return(Bounds);
            ArrayPool<double>.Shared.Return(Approximations);
            ArrayPool<UInt128>.Shared.Return(Units);
            if (CapsRented)
            {
                ArrayPool<decimal>.Shared.Return(Caps);
            }

            ArrayPool<decimal>.Shared.Return(Bases);
        }
    }
}
