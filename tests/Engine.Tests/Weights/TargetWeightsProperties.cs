using CsCheck;
using CryptoIndex.Engine.Tests.Oracles;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>Properties over random funds, checked against exact rational references.</summary>
public sealed class TargetWeightsProperties
{
    private const int Precision = 8;
    private static readonly decimal Unit = 0.00000001m;

    /// <summary>A random feasible fund: 1–30 assets, market caps over many magnitudes, a cap and often a floor.</summary>
    internal static readonly Gen<Case> Cases =
        from n in Gen.Int[1, 30]
        from marketCaps in Gen.Decimal[0.01m, 2_000_000_000_000m].Select(d => decimal.Round(d, 2)).Where(d => d > 0m).Array[n]
        from capPercent in Gen.Int[(int)Math.Ceiling(100.0 / n), 100]
        from floorPermille in Gen.Int[0, Math.Min(Math.Min(1000 / n, capPercent * 10), 999)]
        from withFloor in Gen.Bool
        from overrides in Gen.Int[0, 100].Array[n]
        from scheme in Gen.OneOf(WeightingScheme.MarketCap, WeightingScheme.SqrtMarketCap)
        select Case.Build(marketCaps, capPercent / 100m, withFloor ? floorPermille / 1000m : 0m, overrides, scheme);

    [Fact]
    public void Weights_sum_to_exactly_one_and_respect_floor_and_cap()
    {
        Cases.Sample(c =>
        {
            var allocation = c.Solve();
            Assert.Equal(1m, allocation.Weights.Sum(w => w.Weight));
            for (var i = 0; i < c.Constituents.Length; i++)
            {
                var weight = allocation.Weights[i].Weight;
                Assert.InRange(weight, c.Rules.AssetFloor, c.Constituents[i].Cap ?? c.Rules.AssetCap);
                Assert.Equal(weight, decimal.Round(weight, Precision));
            }
        }, iter: 3000);
    }

    [Fact]
    public void Weights_are_exactly_the_rational_solution_rounded_by_largest_remainder()
    {
        Cases.Sample(c =>
        {
            var allocation = c.Solve();
            var bases = allocation.Weights.Select(w => Rational.Of(w.Base)).ToList();
            var exact = ReferenceCapping.LambdaClamp(
                bases, c.Constituents.Select(k => Rational.Of(k.Cap ?? c.Rules.AssetCap)).ToList(), Rational.Of(c.Rules.AssetFloor));
            var expected = ReferenceCapping.RoundLargestRemainder(exact, bases, allocation.Weights.Select(w => w.Symbol).ToList(), Precision);

            Assert.Equal(expected, allocation.Weights.Select(w => w.Weight));
        }, iter: 3000);
    }

    [Fact]
    public void At_every_precision_and_up_to_the_largest_market_caps_weights_are_exactly_the_rational_solution()
    {
        // Market caps scaled up to 10^18 and precisions from 3 to 20 places take every division path of the exact
        // rounding: a 64-bit divisor, a wider one with a double estimate corrected exactly, and long division.
        var gen =
            from c in Cases
            from magnitude in Gen.Int[0, 5]
            from precision in Gen.Int[3, WeightingRules.MaxPrecision]
            select new Case(
                c.Constituents.Select(k => k with { MarketCap = k.MarketCap * DecimalMath.PowerOfTen(magnitude) }).ToArray(),
                c.Rules with { Precision = precision });
        gen.Sample(c =>
        {
            var allocation = c.Solve();
            var bases = allocation.Weights.Select(w => Rational.Of(w.Base)).ToList();
            var exact = ReferenceCapping.LambdaClamp(
                bases, c.Constituents.Select(k => Rational.Of(k.Cap ?? c.Rules.AssetCap)).ToList(), Rational.Of(c.Rules.AssetFloor));
            var expected = ReferenceCapping.RoundLargestRemainder(exact, bases, allocation.Weights.Select(w => w.Symbol).ToList(), c.Rules.Precision);

            Assert.Equal(expected, allocation.Weights.Select(w => w.Weight));
        }, iter: 2000);
    }

    [Fact]
    public void Trailing_zeros_in_market_caps_change_nothing()
    {
        // 2.5 and 2.50000 are one value at two scales: the exact rounding aligns the scales before comparing bases.
        var ones = new[] { 1m, 1.0m, 1.00000m, 1.0000000000m, 1.00000000000000m };
        var gen =
            from c in Cases
            from picks in Gen.Int[0, ones.Length - 1].Array[c.Constituents.Length]
            select (c, rescaled: c with { Constituents = c.Constituents.Select((k, i) => k with { MarketCap = k.MarketCap * ones[picks[i]] }).ToArray() });
        gen.Sample(pair => Assert.Equal(pair.c.Solve().Weights, pair.rescaled.Solve().Weights), iter: 1000);
    }

    [Fact]
    public void Computing_into_a_reused_buffer_gives_exactly_the_allocated_result()
    {
        var buffer = new TargetWeight[40]; // reused across cases, larger than any: stale entries beyond n are not read
        Cases.Sample(c =>
        {
            Assert.Null(TargetWeights.ComputeInto(c.Constituents, c.Rules, buffer));
            Assert.Equal(c.Solve().Weights, buffer.Take(c.Constituents.Length));
        }, iter: 1000, threads: 1);
    }

    [Fact]
    public void A_buffer_too_small_is_refused_and_an_invalid_fund_is_an_error_value()
    {
        var constituents = new[] { new Constituent("BTC", MarketCap: 2m), new Constituent("ETH", MarketCap: 1m) };
        Assert.Throws<ArgumentException>(() => TargetWeights.ComputeInto(constituents, new WeightingRules(WeightingScheme.MarketCap), new TargetWeight[1]));
        var error = TargetWeights.ComputeInto(constituents, new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.4m), new TargetWeight[2]);
        Assert.Equal(Rules.CapInfeasible, error?.Rule);
    }

    [Fact]
    public void A_larger_base_never_gets_a_smaller_weight_under_one_cap()
    {
        Cases.Select(c => c.WithoutOverrides()).Sample(c =>
        {
            var weights = c.Solve().Weights.OrderBy(w => w.Base).ThenBy(w => w.Weight).ToList();
            for (var i = 1; i < weights.Count; i++)
            {
                if (weights[i].Base > weights[i - 1].Base)
                {
                    Assert.True(weights[i].Weight >= weights[i - 1].Weight, $"{weights[i].Symbol} {weights[i].Weight} < {weights[i - 1].Symbol} {weights[i - 1].Weight}");
                }
                else
                {
                    // Equal bases: the last rounding unit goes to the symbol that sorts first, so they may differ by one.
                    Assert.InRange(weights[i].Weight - weights[i - 1].Weight, 0m, Unit);
                }
            }
        }, iter: 3000);
    }

    [Fact]
    public void Weights_do_not_depend_on_input_order()
    {
        Cases.SelectMany(c => Gen.Shuffle(c.Constituents.ToArray()).Select(shuffled => (c, shuffled))).Sample((c, shuffled) =>
        {
            var original = c.Solve().BySymbol();
            var reordered = TargetWeights.Compute(shuffled, c.Rules).Value.BySymbol();
            foreach (var (symbol, weight) in original)
            {
                Assert.Equal(weight, reordered[symbol]);
            }
        }, iter: 1000);
    }

    [Fact]
    public void The_three_published_capping_forms_agree_exactly_with_caps_only()
    {
        // The reference file asks for this equivalence; it also shows the oracle used above is the right definition.
        var capsOnly =
            from n in Gen.Int[2, 15]
            from bases in Gen.Int[1, 1000].Array[n]
            from capPercent in Gen.Int[5, 60]
            where n * capPercent >= 100
            select (bases.Select(b => Rational.Of(b, 1)).ToList(), Rational.Of(capPercent, 100));
        capsOnly.Sample((bases, cap) =>
        {
            var lambda = ReferenceCapping.LambdaClamp(bases, bases.Select(_ => cap).ToList(), Rational.Zero);
            Assert.Equal(lambda, ReferenceCapping.Iterative(bases, cap));
            Assert.Equal(lambda, ReferenceCapping.SinglePass(bases, cap));
        }, iter: 2000);
    }

    internal sealed record Case(Constituent[] Constituents, WeightingRules Rules)
    {
        public static Case Build(decimal[] marketCaps, decimal cap, decimal floor, int[] overrides, WeightingScheme scheme)
        {
            // About one asset in ten gets its own cap, kept feasible: never below the floor, and the caps still sum ≥ 1.
            var constituents = marketCaps.Select((m, i) => new Constituent($"A{i:D2}", MarketCap: m)).ToArray();
            var capSum = cap * constituents.Length;
            for (var i = 0; i < constituents.Length; i++)
            {
                var own = Math.Max(floor, overrides[i] / 100m);
                if (overrides[i] < 10 && own > 0m && capSum - cap + own >= 1m)
                {
                    constituents[i] = constituents[i] with { Cap = own };
                    capSum += own - cap;
                }
            }

            return new Case(constituents, new WeightingRules(scheme, cap, floor, Precision));
        }

        public Case WithoutOverrides() => this with { Constituents = Constituents.Select(c => c with { Cap = null }).ToArray() };

        public TargetAllocation Solve()
        {
            var result = TargetWeights.Compute(Constituents, Rules);
            Assert.True(result.IsSuccess, result.Error?.ToString());
            return result.Value;
        }

        public override string ToString() =>
            $"{Rules} [{string.Join(", ", Constituents.Select(c => $"{c.Symbol}:{c.MarketCap}{(c.Cap is { } k ? "@" + k : string.Empty)}"))}]";
    }
}
