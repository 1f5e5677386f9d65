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

    // Quotients are weights in units of 10^-precision, at most 10^precision: below 2^50 up to here, where double's
    // estimate is off by a few units at most.
    private const int MaxEstimatedPrecision = 15;
    private static readonly UInt128[] PowersOfTen = DecimalMath.IntegerPowersOfTen;

    // The 64-bit path (DivideNarrow): weights of at most 10^10 units, whose double estimates are off by one unit at
    // most below 2^40, and free bases below 2^62, so that a remainder off by one divisor either way is still told apart
    // in wrapping 64-bit arithmetic.
    private const int MaxNarrowPrecision = 10;
    private const double NarrowEstimateBound = 1L << 40;
    private static readonly UInt128 NarrowBaseBound = (UInt128)1 << 62;

    /// <summary>
    /// Writes every base as an integer at one common scale (the largest among them), and that integer as a
    /// <c>double</c> for the classification. False when an integer would not fit in 128 bits.
    /// </summary>
    public static bool TryScaleBases(ReadOnlySpan<decimal> bases, Span<UInt128> units, Span<double> approximations)
    {
        var scale = 0;
        foreach (var b in bases)
        {
            scale = Math.Max(scale, b.Scale);
        }

        Span<int> scratch = stackalloc int[4];
        for (var i = 0; i < bases.Length; i++)
        {
            var parts = DecimalParts.Of(bases[i], scratch);
            if (parts.IsNegative)
            {
                return false;
            }

            var mantissa = parts.Mantissa;
            var shift = scale - parts.Scale;
            if (shift != 0)
            {
                if (Bits(mantissa) + Bits(PowersOfTen[shift]) > MaxBits)
                {
                    return false;
                }

                mantissa *= PowersOfTen[shift];
            }

            units[i] = mantissa;
            approximations[i] = DecimalMath.ToDouble(mantissa);
        }

        return true;
    }

    /// <summary>
    /// Rounds the weights of a classification exactly, from the bases as integers of <see cref="TryScaleBases"/>.
    /// Ties between equal remainders go to the larger base, then the symbol that sorts first. Writes each asset's
    /// result straight into <paramref name="destination"/> when rounded (nothing is written otherwise).
    /// </summary>
    public static Outcome TryRound<TSink>(
        ReadOnlySpan<UInt128> units,
        ReadOnlySpan<double> approximations,
        ReadOnlySpan<decimal> caps,
        bool uniformCaps,
        decimal floor,
        Span<WeightBound> bounds,
        int precision,
        decimal[] baseValues,
        SymbolTieBreak symbols,
        TSink destination)
        where TSink : IWeightSink, allows ref struct
    {
        var n = units.Length;
        var weightUnits = ArrayPool<UInt128>.Shared.Rent(n);
        var remainders = ArrayPool<UInt128>.Shared.Rent(n);
        var candidates = ArrayPool<int>.Shared.Rent(n);
        try
        {
            var outcome = Compute(units, approximations, caps, uniformCaps, floor, bounds, precision, weightUnits, remainders, candidates, out var candidateCount, out var missing, out var remainderShift);
            if (outcome != Outcome.Rounded)
            {
                return outcome;
            }

            // Each weight's units (floor of w·10^p) are now in `weightUnits`; the missing units go to the largest remainders.
            if (missing > (UInt128)candidateCount)
            {
                return Outcome.WrongClassification;
            }

            var count = (int)missing;
            if (count < candidateCount)
            {
                var order = new LargestRemainderRounding.RemainderOrder<UInt128>(remainders, baseValues, symbols);
                RemainderSelection.SelectLargest(candidates.AsSpan(0, candidateCount), count, remainders, remainderShift, order);
            }

            for (var k = 0; k < count; k++)
            {
                weightUnits[candidates[k]]++;
            }

            for (var i = 0; i < n; i++)
            {
                destination.Write(i, DecimalMath.FromUnits(weightUnits[i], precision), baseValues[i], bounds[i]);
            }

            return Outcome.Rounded;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(candidates);
            ArrayPool<UInt128>.Shared.Return(remainders);
            ArrayPool<UInt128>.Shared.Return(weightUnits);
        }
    }

    private static Outcome Compute(
        ReadOnlySpan<UInt128> units,
        ReadOnlySpan<double> approximations,
        ReadOnlySpan<decimal> caps,
        bool uniformCaps,
        decimal floor,
        Span<WeightBound> bounds,
        int precision,
        UInt128[] weightUnits,
        UInt128[] remainders,
        int[] candidates,
        out int candidateCount,
        out UInt128 missing,
        out int remainderShift)
    {
        var n = units.Length;
        candidateCount = 0;
        missing = UInt128.Zero;
        remainderShift = 0;

        var capSum = 0m;
        var floorCount = 0;
        var maxBase = UInt128.Zero;
        var freeBase = UInt128.Zero;
        for (var i = 0; i < n; i++)
        {
            maxBase = UInt128.Max(maxBase, units[i]);
            switch (bounds[i])
            {
                case WeightBound.Cap: capSum += caps[i]; break;
                case WeightBound.Floor: floorCount++; break;
                default: freeBase += units[i]; break;
            }
        }

        // Bounds on every product below, checked once: b·R, and bound·B with bound ≤ 1. (An overflowing freeBase
        // above is caught here too: it needs more bits than maxBase·n has.)
        var unit = PowersOfTen[precision];
        var baseBits = Bits(maxBase) + Bits((UInt128)n);
        if (baseBits > MaxBits || Bits(maxBase) + Bits(unit) > MaxBits || Bits(unit) + baseBits > MaxBits)
        {
            return Outcome.TooLarge;
        }

        var remaining = 1m - capSum - (floor * floorCount);
        if (remaining < 0m)
        {
            return Outcome.WrongClassification;
        }

        if (!TryScale(remaining, precision, out var remainingUnits) || !TryScale(floor, precision, out var floorUnits))
        {
            return Outcome.TooLarge;
        }

        if (freeBase == UInt128.Zero && remainingUnits != UInt128.Zero)
        {
            return Outcome.WrongClassification;
        }

        // λ, the multiplier of every base, as the fraction lambdaUnits / lambdaBase (weight units per unit of base):
        // R/B; or, when every asset sits on a bound and any λ in a range would do, the smallest of them.
        var (lambdaUnits, lambdaBase) = freeBase != UInt128.Zero
            ? (remainingUnits, freeBase)
            : SmallestLambda(units, caps, precision, bounds, ReadOnlySpan<UInt128>.Empty, floorUnits);
        if (lambdaBase == UInt128.Zero)
        {
            return Outcome.TooLarge;
        }

        var floorTimesBase = floorUnits * lambdaBase;
        var quotientPerUnit = (double)lambdaUnits / (double)lambdaBase;
        Division division;
        if (uniformCaps && precision <= MaxNarrowPrecision && freeBase != UInt128.Zero && freeBase < NarrowBaseBound && maxBase <= ulong.MaxValue)
        {
            if (!TryScale(caps[0], precision, out var capUnits))
            {
                return Outcome.TooLarge;
            }

            division = DivideNarrow(
                units, approximations, quotientPerUnit, new NarrowBounds((ulong)capUnits, (ulong)floorUnits, (ulong)remainingUnits, (ulong)freeBase), bounds, new Quotients(weightUnits, remainders, candidates));
        }
        else
        {
            division = DivideWide(
                units, approximations, quotientPerUnit, caps, uniformCaps, precision, floorUnits, lambdaUnits, lambdaBase, floorTimesBase, bounds, new Quotients(weightUnits, remainders, candidates));
        }

        candidateCount = division.CandidateCount;
        if (division.Outcome != Outcome.Rounded)
        {
            return division.Outcome;
        }

        var (assigned, strictlyInside) = (division.Assigned, division.StrictlyInside);

        // Weights are at most 1 each, so `assigned` cannot overflow (n·unit fits: checked above); a wrong
        // classification can still assign more than one whole.
        if (assigned > unit)
        {
            return Outcome.WrongClassification;
        }

        if (!strictlyInside && !LabelAtSmallestLambda(units, caps, floorUnits, precision, weightUnits, bounds))
        {
            return Outcome.TooLarge;
        }

        missing = unit - assigned;
        remainderShift = Math.Max(0, Bits(freeBase) - 64); // every remainder is below freeBase
        return Outcome.Rounded;
    }

    /// <summary>
    /// Checks each asset's label against λ = lambdaUnits/lambdaBase exactly and divides out the free weights, in 128-bit
    /// integers: the general case.
    /// </summary>
    private static Division DivideWide(
        ReadOnlySpan<UInt128> units,
        ReadOnlySpan<double> approximations,
        double quotientPerUnit,
        ReadOnlySpan<decimal> caps,
        bool uniformCaps,
        int precision,
        UInt128 floorUnits,
        UInt128 lambdaUnits,
        UInt128 lambdaBase,
        UInt128 floorTimesBase,
        Span<WeightBound> bounds,
        Quotients into)
    {
        var n = units.Length;
        var (weightUnits, remainders, candidates) = into;
        // UInt128 divides by a divisor wider than 64 bits in software, slowly (√ bases at 12 places get there).
        // Then double estimates each quotient to within a few units and the estimate is corrected exactly.
        var estimateQuotients = lambdaBase > ulong.MaxValue && precision <= MaxEstimatedPrecision;
        decimal lastCap = -1m;
        UInt128 capUnits = UInt128.Zero, capTimesBase = UInt128.Zero;
        var candidateCount = 0;
        var assigned = UInt128.Zero;
        var strictlyInside = false;
        for (var i = 0; i < n; i++)
        {
            // Caps are usually one value for all assets: convert it once.
            if ((!uniformCaps || i == 0) && caps[i] != lastCap)
            {
                if (!TryScale(caps[i], precision, out capUnits))
                {
                    return new Division(Outcome.TooLarge, candidateCount, assigned, strictlyInside);
                }

                capTimesBase = capUnits * lambdaBase;
                lastCap = caps[i];
            }

            // λ·b_i against the bounds, exactly: the proposed label must hold, and an asset exactly on a bound is
            // labelled free (it lands there by redistribution; it is not held down or lifted), whichever way the
            // search proposed it, so that labels never depend on how the bases were written.
            var numerator = units[i] * lambdaUnits;
            switch (bounds[i])
            {
                case WeightBound.Cap when numerator >= capTimesBase:
                    weightUnits[i] = capUnits;
                    remainders[i] = UInt128.Zero;
                    break;
                case WeightBound.Floor when numerator <= floorTimesBase:
                    weightUnits[i] = floorUnits;
                    remainders[i] = UInt128.Zero;
                    break;
                case WeightBound.Free when numerator >= floorTimesBase && numerator <= capTimesBase:
                    (weightUnits[i], remainders[i]) = estimateQuotients
                        ? Divide(numerator, lambdaBase, approximations[i] * quotientPerUnit)
                        : UInt128.DivRem(numerator, lambdaBase);
                    if (remainders[i] != UInt128.Zero)
                    {
                        candidates[candidateCount++] = i;
                    }

                    break;
                default:
                    return new Division(Outcome.WrongClassification, candidateCount, assigned, strictlyInside);
            }

            bounds[i] = numerator > capTimesBase ? WeightBound.Cap : numerator < floorTimesBase ? WeightBound.Floor : WeightBound.Free;
            strictlyInside |= numerator > floorTimesBase && numerator < capTimesBase;
            assigned += weightUnits[i];
        }

        return new Division(Outcome.Rounded, candidateCount, assigned, strictlyInside);
    }

    /// <summary>Where a division writes each asset's weight units and remainder, and the assets with a remainder.</summary>
    private readonly record struct Quotients(UInt128[] WeightUnits, UInt128[] Remainders, int[] Candidates);

    /// <summary>How a division went: its outcome, how many assets have a remainder, the units assigned, and whether any asset lies strictly between its bounds.</summary>
    private readonly record struct Division(Outcome Outcome, int CandidateCount, UInt128 Assigned, bool StrictlyInside);

    /// <summary>The bounds of <see cref="DivideNarrow"/> in weight units, and λ as the fraction Remaining / FreeBase.</summary>
    private readonly record struct NarrowBounds(ulong Cap, ulong Floor, ulong Remaining, ulong FreeBase);

    /// <summary>
    /// <see cref="DivideWide"/> in 64-bit integers, for the usual case: one cap for all, bases below 2^64, free bases
    /// below 2^62, at most <see cref="MaxNarrowPrecision"/> places. Each quotient ⌊b_i·R/B⌋ comes from its double
    /// estimate, corrected by its remainder b_i·R − q·B, which is below B and so exact in wrapping 64-bit arithmetic;
    /// with q and r exact, b_i·R against cap·B is q against the cap (and r against 0 when equal). An asset whose
    /// estimate exceeds <see cref="NarrowEstimateBound"/> units is far above any cap.
    /// </summary>
    private static Division DivideNarrow(
        ReadOnlySpan<UInt128> units,
        ReadOnlySpan<double> approximations,
        double quotientPerUnit,
        NarrowBounds limits,
        Span<WeightBound> bounds,
        Quotients into)
    {
        var n = units.Length;
        var (weightUnits, remainders, candidates) = into;
        var divisor = limits.FreeBase;
        var total = 0UL;
        var inside = false;
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            var estimate = approximations[i] * quotientPerUnit;
            bool aboveCap, atCap, belowFloor, atFloor;
            ulong quotient = 0, remainder = 0;
            if (estimate < NarrowEstimateBound)
            {
                quotient = (ulong)estimate;
                remainder = unchecked(((ulong)units[i] * limits.Remaining) - (quotient * divisor));
                if (remainder >= divisor)
                {
                    // Off by one: a negative remainder wrapped around to above 2^63, one too large is below 2·B.
                    (quotient, remainder) = remainder > long.MaxValue ? (quotient - 1, remainder + divisor) : (quotient + 1, remainder - divisor);
                }

                // Most assets: proposed free and below the cap, at or above the floor — free, its label unchanged.
                if (bounds[i] == WeightBound.Free && quotient < limits.Cap && quotient >= limits.Floor)
                {
                    weightUnits[i] = quotient;
                    remainders[i] = remainder;
                    total += quotient;
                    candidates[count] = i;
                    count += remainder != 0 ? 1 : 0;
                    inside |= quotient > limits.Floor || remainder != 0;
                    continue;
                }

                aboveCap = quotient > limits.Cap || (quotient == limits.Cap && remainder != 0);
                atCap = quotient == limits.Cap && remainder == 0;
                belowFloor = quotient < limits.Floor;
                atFloor = quotient == limits.Floor && remainder == 0;
            }
            else
            {
                (aboveCap, atCap, belowFloor, atFloor) = (true, false, false, false);
            }

            switch (bounds[i])
            {
                case WeightBound.Cap when aboveCap || atCap:
                    weightUnits[i] = limits.Cap;
                    remainders[i] = UInt128.Zero;
                    total += limits.Cap;
                    break;
                case WeightBound.Floor when belowFloor || atFloor:
                    weightUnits[i] = limits.Floor;
                    remainders[i] = UInt128.Zero;
                    total += limits.Floor;
                    break;
                case WeightBound.Free when !aboveCap && !belowFloor:
                    weightUnits[i] = quotient;
                    remainders[i] = remainder;
                    total += quotient;
                    if (remainder != 0)
                    {
                        candidates[count++] = i;
                    }

                    break;
                default:
                    return new Division(Outcome.WrongClassification, count, total, inside);
            }

            bounds[i] = aboveCap ? WeightBound.Cap : belowFloor ? WeightBound.Floor : WeightBound.Free;
            inside |= !aboveCap && !atCap && !belowFloor && !atFloor;
        }

        return new Division(Outcome.Rounded, count, total, inside);
    }

    /// <summary>
    /// When no asset lies strictly between its bounds, every λ of a range gives these weights, and which λ the search
    /// landed on would decide the labels. They are taken at the smallest, so an asset exactly on a bound is Free,
    /// whatever was proposed. False when a cap cannot be scaled (the caller falls back to decimal).
    /// </summary>
    private static bool LabelAtSmallestLambda(
        ReadOnlySpan<UInt128> units, ReadOnlySpan<decimal> caps, UInt128 floorUnits, int precision, UInt128[] weightUnits, Span<WeightBound> bounds)
    {
        var (lambdaUnits, lambdaBase) = SmallestLambda(units, caps, precision, bounds, weightUnits.AsSpan(0, units.Length), floorUnits);
        if (lambdaBase == UInt128.Zero)
        {
            return false;
        }

        for (var i = 0; i < units.Length; i++)
        {
            TryScale(caps[i], precision, out var capUnits); // scaled once already by SmallestLambda
            var numerator = units[i] * lambdaUnits;
            bounds[i] = numerator > capUnits * lambdaBase ? WeightBound.Cap : numerator < floorUnits * lambdaBase ? WeightBound.Floor : WeightBound.Free;
        }

        return true;
    }

    /// <summary>
    /// With every asset on a bound, the weights hold for any λ from the largest cap_i/b_i of the assets held at their
    /// cap up to the smallest floor/b_i of the floored ones. The lower end, as a fraction of weight units per unit of
    /// base (0/1 when none is held at a cap); (0, 0) when a cap cannot be scaled (the caller falls back to decimal).
    /// Held at a cap: labelled Cap while no weight is known (<paramref name="weightUnits"/> empty); else weighing
    /// exactly its cap, when that cap is above the floor (a cap equal to the floor holds at any λ).
    /// </summary>
    private static (UInt128 Units, UInt128 Base) SmallestLambda(
        ReadOnlySpan<UInt128> units, ReadOnlySpan<decimal> caps, int precision, ReadOnlySpan<WeightBound> bounds, ReadOnlySpan<UInt128> weightUnits, UInt128 floorUnits)
    {
        var (lambdaUnits, lambdaBase) = (UInt128.Zero, UInt128.One);
        for (var i = 0; i < units.Length; i++)
        {
            if (weightUnits.IsEmpty && bounds[i] != WeightBound.Cap)
            {
                continue;
            }

            if (!TryScale(caps[i], precision, out var capUnits))
            {
                return (UInt128.Zero, UInt128.Zero);
            }

            var heldAtCap = weightUnits.IsEmpty || (weightUnits[i] == capUnits && capUnits != floorUnits);

            // cap_i / b_i > λ, cross-multiplied (both products fit: checked by the caller's bit budget).
            if (heldAtCap && capUnits * lambdaBase > lambdaUnits * units[i])
            {
                (lambdaUnits, lambdaBase) = (capUnits, units[i]);
            }
        }

        return (lambdaUnits, lambdaBase);
    }

    /// <summary>
    /// numerator / divisor and its remainder, exactly, from an estimate of the quotient good to a few units: one
    /// multiplication and a step or two instead of a long division.
    /// </summary>
    private static (UInt128 Quotient, UInt128 Remainder) Divide(UInt128 numerator, UInt128 divisor, double estimate)
    {
        var quotient = (UInt128)(ulong)Math.Max(estimate, 0);
        var product = quotient * divisor;
        while (product > numerator)
        {
            quotient--;
            product -= divisor;
        }

        var remainder = numerator - product;
        while (remainder >= divisor)
        {
            quotient++;
            remainder -= divisor;
        }

        return (quotient, remainder);
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

    private static int Bits(UInt128 value) => DecimalMath.BitLength(value);
}
