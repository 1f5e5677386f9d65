using System.Buffers;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Solves the capped-index definition exactly: <c>w_i = clamp(λ·b_i, floor, cap_i)</c> with λ chosen so that
/// Σw = 1. The sum is piecewise linear and non-decreasing in λ, with a breakpoint where each asset leaves the
/// floor (λ = floor/b_i) and where it reaches its cap (λ = cap_i/b_i). Sweeping those breakpoints in order finds
/// the segment that contains the solution; λ then follows from one linear equation. O(n log n) for the sort,
/// and breakpoints are compared by cross-multiplication, so the sweep itself does no division.
/// </summary>
internal static class CappedWeightSolver
{
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
            AssignWeights(bases, caps, floor, bounds, weights);
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

    private static void AssignWeights(
        ReadOnlySpan<decimal> bases,
        ReadOnlySpan<decimal> caps,
        decimal floor,
        ReadOnlySpan<WeightBound> bounds,
        Span<decimal> weights)
    {
        // Recompute the sums from the final sets (in index order) rather than trusting running totals.
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

        var lambda = freeBase > 0m ? (1m - fixedSum) / freeBase : 0m;
        for (var i = 0; i < bases.Length; i++)
        {
            weights[i] = bounds[i] switch
            {
                WeightBound.Cap => caps[i],
                WeightBound.Floor => floor,
                _ => Math.Clamp(bases[i] * lambda, floor, caps[i]),
            };
        }
    }
}
