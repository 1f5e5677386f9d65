using CsCheck;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>The two solver paths and the rounding selection, each checked against a simpler reference.</summary>
public sealed class SolverInternalsProperties
{
    [Fact]
    public void The_fast_path_and_the_breakpoint_sweep_give_identical_weights()
    {
        TargetWeightsProperties.Cases.Sample(c =>
        {
            var n = c.Constituents.Length;
            var bases = c.Solve().Weights.Select(w => w.Base).ToArray();
            var caps = c.Constituents.Select(k => k.Cap ?? c.Rules.AssetCap).ToArray();
            var uniform = caps.All(cap => cap == c.Rules.AssetCap);
            var (fast, fastBounds) = (new decimal[n], new WeightBound[n]);
            var (sweep, sweepBounds) = (new decimal[n], new WeightBound[n]);

            CappedWeightSolver.Solve(bases, caps, uniform, c.Rules.AssetFloor, fast, fastBounds);
            CappedWeightSolver.SolveBySweep(bases, caps, uniform, c.Rules.AssetFloor, sweep, sweepBounds);

            // Weights agree to decimal's last digits; bounds may differ only for an asset exactly on its bound.
            for (var i = 0; i < n; i++)
            {
                Assert.InRange(fast[i] - sweep[i], -1e-24m, 1e-24m);
            }
        }, iter: 2000);
    }

    [Fact]
    public void Rounding_gives_the_missing_units_to_exactly_the_largest_remainders()
    {
        var gen =
            from n in Gen.Int[1, 60]
            from parts in Gen.Int[1, 1000].Array[n]
            from bases in Gen.Int[1, 5].Array[n]
            select (parts, bases);
        gen.Sample((parts, baseValues) =>
        {
            var n = parts.Length;
            var total = parts.Sum();
            var exact = parts.Select(p => (decimal)p / total).ToArray();
            exact[^1] = 1m - exact[..^1].Sum();
            var bases = baseValues.Select(b => (decimal)b).ToArray();
            var symbols = Enumerable.Range(0, n).Select(i => $"S{i:D2}").ToArray();
            var rounded = (decimal[])exact.Clone();

            LargestRemainderRounding.Round(rounded, bases, SymbolTieBreak.BySymbol(symbols.Select(s => new Constituent(s)).ToArray()), 4);

            // Reference: sort every index by (remainder desc, base desc, symbol) and give units to the first ones.
            var down = exact.Select(w => DecimalMath.Truncate(w, 4)).ToArray();
            var missing = (int)((1m - down.Sum()) / 0.0001m);
            var winners = Enumerable.Range(0, n)
                .Where(i => exact[i] - down[i] > 0m)
                .OrderByDescending(i => exact[i] - down[i]).ThenByDescending(i => bases[i]).ThenBy(i => symbols[i], StringComparer.Ordinal)
                .Take(missing)
                .ToHashSet();
            for (var i = 0; i < n; i++)
            {
                Assert.Equal(down[i] + (winners.Contains(i) ? 0.0001m : 0m), rounded[i]);
            }

            Assert.Equal(1m, rounded.Sum());
        }, iter: 3000);
    }

    [Fact]
    public void Remainder_selection_picks_the_same_candidates_as_sorting_by_remainder_base_and_symbol()
    {
        // Remainders from a narrow range force ties at every stage (bucket, key, remainder); a shift makes keys lose
        // low bits, so equal keys with different remainders must still be ordered by remainder.
        var gen =
            from n in Gen.Int[2, 300]
            from spread in Gen.OneOf(3UL, 1_000UL, ulong.MaxValue)
            from shift in Gen.OneOf(0, 1, 40, 63)
            from high in Gen.ULong[0, spread].Array[n]
            from low in Gen.ULong[0, 7].Array[n]
            from baseValues in Gen.Int[1, 3].Array[n]
            from count in Gen.Int[0, n - 1]
            select (high, low, shift, baseValues, count);
        gen.Sample((high, low, shift, baseValues, count) =>
        {
            var n = high.Length;
            var remainders = Enumerable.Range(0, n).Select(i => shift == 0 ? (UInt128)high[i] : ((UInt128)high[i] << shift) | (UInt128)low[i]).ToArray();
            var bases = baseValues.Select(b => (decimal)b).ToArray();
            var symbols = Enumerable.Range(0, n).Select(i => $"S{(i * 7919) % n:D3}").ToArray();
            var candidates = Enumerable.Range(0, n).ToArray();

            RemainderSelection.SelectLargest(candidates, count, remainders, shift, new LargestRemainderRounding.RemainderOrder<UInt128>(remainders, bases, SymbolTieBreak.BySymbol(symbols.Select(s => new Constituent(s)).ToArray())));

            var expected = Enumerable.Range(0, n)
                .OrderByDescending(i => remainders[i]).ThenByDescending(i => bases[i]).ThenBy(i => symbols[i], StringComparer.Ordinal)
                .Take(count)
                .Order();
            Assert.Equal(expected, candidates[..count].Order());
        }, iter: 3000);
    }
}
