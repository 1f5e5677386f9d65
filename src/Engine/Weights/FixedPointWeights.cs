using System.Buffers;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Exact rounded weights for a given classification, in 128-bit integers. With every base written as an integer
/// at one common scale, a free asset's weight is <c>b_i·R/B</c> (R: the weight left after capped and floored assets,
/// B: the free assets' bases), so <c>floor(w_i·10^p)</c> and its remainder are an integer division, and all
/// remainders share the denominator B: largest-remainder rounding is then exact, with no decimal rounding at all.
/// The classification itself is checked exactly on the way (λ = R/B must put each asset on its side of its bounds).
/// When the numbers cannot be guaranteed to fit in 128 bits the caller falls back to decimal arithmetic.
/// </summary>
internal static class FixedPointWeights
{
    public enum Outcome
    {
        Rounded,
        WrongClassification,
        TooLarge,
    }

    private const int MaxBits = 127;
    private static readonly UInt128[] PowersOfTen = DecimalMath.IntegerPowersOfTen;

    public static Outcome TryRound(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        decimal floor,
        ReadOnlySpan<WeightBound> bounds,
        int precision,
        decimal[] baseValues,
        string[] symbols,
        Span<decimal> rounded)
    {
        var n = bases.Length;
        var scaled = ArrayPool<UInt128>.Shared.Rent(n);
        var remainders = ArrayPool<UInt128>.Shared.Rent(n);
        var candidates = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var outcome = Compute(bases, caps, floor, bounds, precision, scaled, remainders, candidates, out var candidateCount);
            if (outcome != Outcome.Rounded)
            {
                return outcome;
            }

            // Each weight's units (floor of w·10^p) are now in `scaled`; the missing units go to the largest remainders.
            var missing = PowersOfTen[precision];
            for (var i = 0; i < n; i++)
            {
                missing -= scaled[i];
            }

            if (missing > (UInt128)candidateCount)
            {
                return Outcome.WrongClassification;
            }

            var count = (int)missing;
            if (count < candidateCount)
            {
                LargestRemainderRounding.SelectFirst(
                    candidates.AsSpan(0, candidateCount), count, new LargestRemainderRounding.RemainderOrder<UInt128>(remainders, baseValues, symbols));
            }

            for (var k = 0; k < count; k++)
            {
                scaled[candidates[k]]++;
            }

            for (var i = 0; i < n; i++)
            {
                rounded[i] = ToDecimal(scaled[i], precision);
            }

            return Outcome.Rounded;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(candidates);
            ArrayPool<UInt128>.Shared.Return(remainders);
            ArrayPool<UInt128>.Shared.Return(scaled);
        }
    }

    private static Outcome Compute(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        decimal floor,
        ReadOnlySpan<WeightBound> bounds,
        int precision,
        UInt128[] scaled,
        UInt128[] remainders,
        int[] candidates,
        out int candidateCount)
    {
        var n = bases.Length;
        candidateCount = 0;

        // One common scale for all bases, so that their integers compare and add like the bases do.
        var scale = 0;
        foreach (var b in bases)
        {
            scale = Math.Max(scale, b.Scale);
        }

        var fixedSum = 0m;
        var maxBase = UInt128.Zero;
        var freeBase = UInt128.Zero;
        for (var i = 0; i < n; i++)
        {
            if (!TryScale(bases[i], scale, out scaled[i]))
            {
                return Outcome.TooLarge;
            }

            maxBase = UInt128.Max(maxBase, scaled[i]);
            switch (bounds[i])
            {
                case WeightBound.Cap: fixedSum += caps[i]; break;
                case WeightBound.Floor: fixedSum += floor; break;
                default: freeBase += scaled[i]; break;
            }
        }

        var remaining = 1m - fixedSum;
        if (remaining < 0m)
        {
            return Outcome.WrongClassification;
        }

        // Bounds on every product below, checked once: b·R, and bound·B with bound ≤ 1.
        var unit = PowersOfTen[precision];
        var baseBits = Bits(maxBase) + Bits((UInt128)n);
        if (baseBits > MaxBits || Bits(maxBase) + Bits(unit) > MaxBits || Bits(unit) + baseBits > MaxBits
            || !TryScale(remaining, precision, out var remainingUnits) || !TryScale(floor, precision, out var floorUnits))
        {
            return Outcome.TooLarge;
        }

        if (freeBase == UInt128.Zero)
        {
            if (remainingUnits != UInt128.Zero)
            {
                return Outcome.WrongClassification;
            }
        }

        var floorTimesBase = floorUnits * freeBase;
        decimal lastCap = -1m;
        UInt128 capUnits = UInt128.Zero, capTimesBase = UInt128.Zero;
        for (var i = 0; i < n; i++)
        {
            // Caps are usually one value for all assets: convert it once.
            if (caps[i] != lastCap)
            {
                if (!TryScale(caps[i], precision, out capUnits))
                {
                    return Outcome.TooLarge;
                }

                capTimesBase = capUnits * freeBase;
                lastCap = caps[i];
            }

            var numerator = scaled[i] * remainingUnits;
            switch (bounds[i])
            {
                case WeightBound.Cap when freeBase == UInt128.Zero || numerator >= capTimesBase:
                    scaled[i] = capUnits;
                    break;
                case WeightBound.Floor when freeBase == UInt128.Zero || numerator <= floorTimesBase:
                    scaled[i] = floorUnits;
                    break;
                case WeightBound.Free when freeBase != UInt128.Zero && numerator >= floorTimesBase && numerator <= capTimesBase:
                    (scaled[i], remainders[i]) = UInt128.DivRem(numerator, freeBase);
                    if (remainders[i] != UInt128.Zero)
                    {
                        candidates[candidateCount++] = i;
                    }

                    break;
                default:
                    return Outcome.WrongClassification;
            }
        }

        return Outcome.Rounded;
    }

    /// <summary>value × 10^scale as an integer, if that is exact and fits.</summary>
    private static bool TryScale(decimal value, int scale, out UInt128 result)
    {
        result = UInt128.Zero;
        if (value < 0m)
        {
            return false;
        }

        var mantissa = DecimalMath.Mantissa(value, out var valueScale);
        if (valueScale > scale)
        {
            var (quotient, remainder) = UInt128.DivRem(mantissa, PowersOfTen[valueScale - scale]);
            result = quotient;
            return remainder == UInt128.Zero;
        }

        var factor = PowersOfTen[scale - valueScale];
        if (Bits(mantissa) + Bits(factor) > MaxBits)
        {
            return false;
        }

        result = mantissa * factor;
        return true;
    }

    private static decimal ToDecimal(UInt128 units, int precision) => DecimalMath.FromUnits(units, precision);

    private static int Bits(UInt128 value) => DecimalMath.BitLength(value);
}
