using System.Buffers;
using System.Runtime.Intrinsics;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Solves the capped-index definition exactly: <c>w_i = clamp(λ·b_i, floor, cap_i)</c> with λ chosen so that
/// Σw = 1. The sum is piecewise linear and non-decreasing in λ. Once it is known which assets sit on their cap, on
/// the floor or in between, λ follows from one linear equation, so the work is finding that classification:
/// <list type="number">
/// <item>Fast path: a safeguarded Newton search for λ in <c>double</c> (O(n) per step, a handful of steps) proposes a
/// classification; <see cref="FixedPointWeights"/> (or <see cref="DecimalWeights"/>) then recomputes λ in <c>decimal</c> and checks every asset against its
/// bound. Only a classification that passes the exact check is used.</item>
/// <item>Fallback, when the check fails (near-ties at a bound that <c>double</c> cannot separate): sweep the
/// breakpoints where each asset leaves the floor (λ = floor/b_i) and reaches its cap (λ = cap_i/b_i) in increasing
/// order; the first breakpoint at which the sum reaches 1 brackets λ. O(n log n) for the sort; breakpoints are
/// compared by cross-multiplication, so the sweep does no division.</item>
/// </list>
/// </summary>
internal static class CappedWeightSolver
{
    private const int MaxNewtonSteps = 200;

    /// <summary>
    /// Requires: every base &gt; 0, 0 ≤ floor ≤ cap_i ≤ 1, Σcap ≥ 1 and n·floor ≤ 1 (checked by the caller).
    /// Writes unrounded weights and the bound that decided each one.
    /// </summary>
    public static void Solve(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        bool uniformCaps,
        decimal floor,
        Span<decimal> weights,
        Span<WeightBound> bounds)
    {
        Classify(bases, caps, uniformCaps, floor, bounds);
        if (!DecimalWeights(bases, caps, floor, bounds, weights, strict: true))
        {
            SolveBySweep(bases, caps, uniformCaps, floor, weights, bounds);
        }
    }

    /// <summary>The exact breakpoint sweep on its own (the fallback), for tests that compare both paths.</summary>
    internal static void SolveBySweep(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        bool uniformCaps,
        decimal floor,
        Span<decimal> weights,
        Span<WeightBound> bounds)
    {
        ClassifyExactly(bases, caps, uniformCaps, floor, bounds);

        // The sweep's classification is right by construction; clamping only absorbs decimal's last-digit rounding
        // of λ for an asset that sits exactly on a bound.
        DecimalWeights(bases, caps, floor, bounds, weights, strict: false);
    }

    /// <summary>The exact classification by the breakpoint sweep: O(n log n), no division.</summary>
    public static void ClassifyExactly(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        bool uniformCaps,
        decimal floor,
        Span<WeightBound> bounds)
    {
        var n = bases.Length;
        var floorOrder = ArrayPool<int>.Shared.Rent(n);
        var capOrder = uniformCaps ? floorOrder : ArrayPool<int>.Shared.Rent(n);
        var keys = ArrayPool<decimal>.Shared.Rent(n);
        try
        {
            // Floor breakpoints floor/b_i ascend as b_i descends.
            for (var i = 0; i < n; i++)
            {
                floorOrder[i] = i;
                keys[i] = -bases[i];
            }

            Array.Sort(keys, floorOrder, 0, n);

            // With one cap for all, cap breakpoints cap/b_i follow the same order; otherwise sort them too.
            if (!uniformCaps)
            {
                for (var i = 0; i < n; i++)
                {
                    capOrder[i] = i;
                    keys[i] = caps[i] / bases[i];
                }

                Array.Sort(keys, capOrder, 0, n);
            }

            Sweep(bases, caps, floor, floorOrder.AsSpan(0, n), capOrder.AsSpan(0, n), bounds);
        }
        finally
        {
            ArrayPool<decimal>.Shared.Return(keys);
            if (!uniformCaps)
            {
                ArrayPool<int>.Shared.Return(capOrder);
            }

            ArrayPool<int>.Shared.Return(floorOrder);
        }
    }

    private static void Sweep(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        decimal floor,
        ReadOnlySpan<int> floorOrder,
        ReadOnlySpan<int> capOrder,
        Span<WeightBound> bounds)
    {
        var n = bases.Length;
        var hasFloor = floor > 0m;

        // State just above λ = 0: with a floor every asset sits on it; without one every asset is free.
        var floorSum = hasFloor ? floor * n : 0m;
        var capSum = 0m;
        var freeBase = 0m;
        bounds.Fill(hasFloor ? WeightBound.Floor : WeightBound.Free);
        if (!hasFloor)
        {
            foreach (var b in bases)
            {
                freeBase += b;
            }
        }

        var nextFloor = hasFloor ? 0 : n;
        var nextCap = 0;
        while (nextFloor < n || nextCap < n)
        {
            // Take the earlier breakpoint; on a tie the floor event goes first so an asset is freed before it caps.
            bool takeFloor;
            if (nextFloor < n && nextCap < n)
            {
                var f = floorOrder[nextFloor];
                var c = capOrder[nextCap];
                takeFloor = floor * bases[c] <= caps[c] * bases[f];
            }
            else
            {
                takeFloor = nextFloor < n;
            }

            var asset = takeFloor ? floorOrder[nextFloor] : capOrder[nextCap];
            var numerator = takeFloor ? floor : caps[asset];
            var remaining = 1m - floorSum - capSum;

            // Σw at this breakpoint is floorSum + capSum + λ·freeBase with λ = numerator / base; stop once it reaches 1.
            if (numerator * freeBase >= remaining * bases[asset])
            {
                return;
            }

            if (takeFloor)
            {
                bounds[asset] = WeightBound.Free;
                floorSum -= floor;
                freeBase += bases[asset];
                nextFloor++;
            }
            else
            {
                bounds[asset] = WeightBound.Cap;
                capSum += caps[asset];
                freeBase -= bases[asset];
                nextCap++;
            }
        }
    }

    /// <summary>
    /// Proposes which assets are capped, floored or free by finding λ in <c>double</c>: Newton steps on the piecewise
    /// linear sum (exact once inside the right segment), kept inside a shrinking bracket by bisection.
    /// </summary>
    public static void Classify(ReadOnlySpan<decimal> bases, ReadOnlySpan<decimal> caps, bool uniformCaps, decimal floor, Span<WeightBound> bounds)
    {
        var approximations = ArrayPool<double>.Shared.Rent(bases.Length);
        try
        {
            for (var i = 0; i < bases.Length; i++)
            {
                approximations[i] = (double)bases[i];
            }

            Classify(approximations.AsSpan(0, bases.Length), caps, uniformCaps, floor, bounds);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(approximations);
        }
    }

    /// <summary>
    /// <see cref="Classify(ReadOnlySpan{decimal}, ReadOnlySpan{decimal}, bool, decimal, Span{WeightBound})"/> from the
    /// bases in <c>double</c>, any common multiple of them (λ absorbs the factor).
    /// </summary>
    public static void Classify(ReadOnlySpan<double> bases, ReadOnlySpan<decimal> caps, bool uniformCaps, decimal floor, Span<WeightBound> bounds)
    {
        if (uniformCaps)
        {
            Classify(bases, new UniformCap((double)caps[0]), (double)floor, bounds);
            return;
        }

        var perAsset = ArrayPool<double>.Shared.Rent(bases.Length);
        try
        {
            var lastCap = -1m;
            var lastCapAsDouble = 0.0;
            for (var i = 0; i < bases.Length; i++)
            {
                if (caps[i] != lastCap)
                {
                    (lastCap, lastCapAsDouble) = (caps[i], (double)caps[i]);
                }

                perAsset[i] = lastCapAsDouble;
            }

            Classify(bases, new CapPerAsset(perAsset), (double)floor, bounds);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(perAsset);
        }
    }

    // Generic over how caps are looked up, so that the common case (one cap for all) reads no cap array at all.
    private static void Classify<TCaps>(ReadOnlySpan<double> b, TCaps caps, double f, Span<WeightBound> bounds)
        where TCaps : struct, ICapLookup
    {
        var n = b.Length;

        // λ's bracket: at the upper end every asset is capped, so any λ ≥ max c_i/b_i will do, and the largest cap
        // over the smallest base is one, found with no division per asset, four assets at a time.
        var (sums, smallest, largestCaps) = (Vector256<double>.Zero, Vector256.Create(double.MaxValue), Vector256<double>.Zero);
        var i = 0;
        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            var bases = Vector256.Create(b.Slice(i, Vector256<double>.Count));
            sums += bases;
            smallest = Vector256.Min(smallest, bases);
            largestCaps = Vector256.Max(largestCaps, caps.Of4(i));
        }

        double baseSum = Vector256.Sum(sums), smallestBase = double.MaxValue, largestCap = 0;
        for (var k = 0; k < Vector256<double>.Count; k++)
        {
            (smallestBase, largestCap) = (Math.Min(smallestBase, smallest[k]), Math.Max(largestCap, largestCaps[k]));
        }

        for (; i < n; i++)
        {
            baseSum += b[i];
            (smallestBase, largestCap) = (Math.Min(smallestBase, b[i]), Math.Max(largestCap, caps.Of(i)));
        }

        var high = largestCap / smallestBase;
        double low = 0, lambda = Math.Min(1 / baseSum, high);
        for (var step = 0; step < MaxNewtonSteps; step++)
        {
            var (sum, slope) = SumAndSlope(b, caps, f, lambda);
            if (sum < 1)
            {
                low = lambda;
            }
            else
            {
                high = lambda;
            }

            var next = slope > 0 ? lambda + ((1 - sum) / slope) : (low + high) / 2;
            if (!(next > low && next < high))
            {
                next = (low + high) / 2;
            }

            if (next == lambda || Math.Abs(1 - sum) <= 1e-15)
            {
                break;
            }

            lambda = next;
        }

        for (i = 0; i < n; i++)
        {
            var w = lambda * b[i];
            bounds[i] = w >= caps.Of(i) ? WeightBound.Cap : w <= f ? WeightBound.Floor : WeightBound.Free;
        }
    }

    /// <summary>
    /// Σ clamp(λ·b_i, f, c_i) and the slope of that sum in λ (the free assets' bases), four assets at a time. Only a
    /// proposal rests on it (the exact check follows), so the order of the additions does not matter.
    /// </summary>
    private static (double Sum, double Slope) SumAndSlope<TCaps>(ReadOnlySpan<double> b, TCaps caps, double f, double lambda)
        where TCaps : struct, ICapLookup
    {
        var n = b.Length;
        var i = 0;
        var (sums, slopes) = (Vector256<double>.Zero, Vector256<double>.Zero);
        var (lambdas, floors) = (Vector256.Create(lambda), Vector256.Create(f));
        for (; i <= n - Vector256<double>.Count; i += Vector256<double>.Count)
        {
            var bases = Vector256.Create(b.Slice(i, Vector256<double>.Count));
            var c = caps.Of4(i);
            var w = lambdas * bases;
            var capped = Vector256.GreaterThanOrEqual(w, c);
            var floored = Vector256.AndNot(Vector256.LessThanOrEqual(w, floors), capped);
            sums += Vector256.ConditionalSelect(capped, c, Vector256.ConditionalSelect(floored, floors, w));
            slopes += Vector256.AndNot(bases, capped | floored);
        }

        double sum = Vector256.Sum(sums), slope = Vector256.Sum(slopes);
        for (; i < n; i++)
        {
            var w = lambda * b[i];
            var c = caps.Of(i);
            if (w >= c)
            {
                sum += c;
            }
            else if (w <= f)
            {
                sum += f;
            }
            else
            {
                sum += w;
                slope += b[i];
            }
        }

        return (sum, slope);
    }

    private interface ICapLookup
    {
        double Of(int asset);

        Vector256<double> Of4(int first);
    }

    private readonly struct UniformCap(double cap) : ICapLookup
    {
        public double Of(int asset) => cap;

        public Vector256<double> Of4(int first) => Vector256.Create(cap);
    }

    private readonly struct CapPerAsset(double[] caps) : ICapLookup
    {
        public double Of(int asset) => caps[asset];

        public Vector256<double> Of4(int first) => Vector256.Create(caps.AsSpan(first, Vector256<double>.Count));
    }

    /// <summary>
    /// Computes the weights of a classification in <c>decimal</c> (λ = remaining weight / free base, one division)
    /// and checks every asset against its bound: capped assets must reach their cap at λ, floored ones must stay at
    /// or below the floor, free ones must lie between. Returns false, writing nothing useful, when any check fails.
    /// Not <paramref name="strict"/>: no checks, free weights are clamped into their bounds.
    /// </summary>
    public static bool DecimalWeights(
        ReadOnlySpan<decimal> bases, ReadOnlySpan<decimal> caps, decimal floor, ReadOnlySpan<WeightBound> bounds, Span<decimal> weights, bool strict)
    {
        // Sums in index order, so the result does not depend on how the classification was found.
        var fixedSum = 0m;
        var freeBase = 0m;
        for (var i = 0; i < bases.Length; i++)
        {
            switch (bounds[i])
            {
                case WeightBound.Cap: fixedSum += caps[i]; break;
                case WeightBound.Floor: fixedSum += floor; break;
                default: freeBase += bases[i]; break;
            }
        }

        var remaining = 1m - fixedSum;
        if (freeBase == 0m)
        {
            // Everything sits on a bound: valid only if the bounds alone add up to 1.
            if (strict && remaining != 0m)
            {
                return false;
            }

            for (var i = 0; i < bases.Length; i++)
            {
                weights[i] = bounds[i] == WeightBound.Cap ? caps[i] : floor;
            }

            return true;
        }

        if (strict && remaining < 0m)
        {
            return false;
        }

        // λ = remaining / freeBase can be tiny (market caps near 10^12), and decimal keeps at most 28 decimal places,
        // so a tiny λ would keep only ~16 significant digits. Divide by freeBase brought to [1, 10) instead and apply
        // the power of ten afterwards: w = (b · λ') · 10^-k, two multiplications and full precision.
        var exponent = DecimalMath.Exponent(freeBase);
        var lambda = remaining / (freeBase * DecimalMath.PowerOfTen(-exponent));
        var shift = DecimalMath.PowerOfTen(-exponent);
        for (var i = 0; i < bases.Length; i++)
        {
            var scaled = bases[i] * lambda * shift;
            if (!strict)
            {
                weights[i] = bounds[i] switch
                {
                    WeightBound.Cap => caps[i],
                    WeightBound.Floor => floor,
                    _ => Math.Clamp(scaled, floor, caps[i]),
                };
                continue;
            }

            switch (bounds[i])
            {
                case WeightBound.Cap when scaled >= caps[i]:
                    weights[i] = caps[i];
                    break;
                case WeightBound.Floor when scaled <= floor:
                    weights[i] = floor;
                    break;
                case WeightBound.Free when scaled >= floor && scaled <= caps[i]:
                    weights[i] = scaled;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }
}
