using System.Globalization;
using CsCheck;
using CryptoIndex.Engine.Tests.Oracles;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>
/// The 64-bit shortcuts of the usual case — a market cap read straight from the decimal's fields, its range checked
/// on 64-bit mantissas, and quotients taken from double estimates and corrected — against what they stand for.
/// </summary>
public sealed class NarrowPathTests
{
    [Fact]
    public void A_decimal_read_straight_from_its_fields_is_what_GetBits_gives()
    {
        var specials = new[] { 0m, -0m, 1m, -1m, 0.01m, 1e-28m, decimal.MaxValue, decimal.MinValue, ulong.MaxValue, (decimal)ulong.MaxValue + 1, 2.50000m };
        Gen.Decimal.Sample(Check, iter: 5000);
        foreach (var value in specials)
        {
            Check(value);
        }

        static void Check(decimal value)
        {
            var bits = decimal.GetBits(value);
            var fits = bits[3] >= 0 && bits[2] == 0;
            Assert.Equal(fits, DecimalParts.TryNarrow(value, out var mantissa, out var scale));
            if (fits)
            {
                Assert.Equal(((ulong)(uint)bits[1] << 32) | (uint)bits[0], mantissa);
                Assert.Equal(value.Scale, scale);
            }
        }
    }

    [Fact]
    public void The_64_bit_market_cap_range_check_agrees_with_the_exact_one()
    {
        var gen = Gen.Select(Gen.OneOf(Gen.ULong, Gen.ULong[0, 1_000], Gen.ULong[999_999_999_999_999_000, 1_000_000_000_000_000_001]), Gen.Int[0, 28]);
        gen.Sample((mantissa, scale) =>
        {
            var value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, false, (byte)scale);
            var exact = value >= Limits.MinMarketCap && value <= Limits.MaxMarketCap;
            Assert.Equal(exact, MarketCapRange.ContainsNarrow(mantissa, scale));
            // A scratch buffer per case: CsCheck samples on several threads at once.
            Assert.Equal(exact, MarketCapRange.Contains(DecimalParts.Of(value, stackalloc int[4])));
        }, iter: 20_000);
    }

    [Fact]
    public void Weights_that_are_whole_units_come_out_exact_whatever_double_estimates_them_at()
    {
        // n equal market caps: b·R/B is a whole number of units whenever n divides 10^8, and double's estimate of R/B
        // (10^8/(n·b), rarely exact) can land a hair below it; the remainder check must then move the quotient up.
        foreach (var n in Enumerable.Range(1, 64))
        {
            foreach (var marketCap in new[] { 0.01m, 0.03m, 0.07m, 3m, 123_456_789.01m, 99_999_999_999_999.99m })
            {
                var constituents = Enumerable.Range(0, n).Select(i => new Constituent($"A{i:D2}", MarketCap: marketCap)).ToArray();
                var rules = new WeightingRules(WeightingScheme.MarketCap);
                var allocation = TargetWeights.Compute(constituents, rules).Value;

                var bases = allocation.Weights.Select(w => Rational.Of(w.Base)).ToList();
                var exact = ReferenceCapping.LambdaClamp(bases, constituents.Select(_ => Rational.Of(rules.AssetCap)).ToList(), Rational.Of(rules.AssetFloor));
                var expected = ReferenceCapping.RoundLargestRemainder(exact, bases, allocation.Weights.Select(w => w.Symbol).ToList(), rules.Precision);
                Assert.Equal(expected, allocation.Weights.Select(w => w.Weight));
            }
        }
    }

    [Theory]
    [InlineData("116626261179.86", "1419911738820.14")] // weight exactly 7,590,197 units; double estimates 7,590,196.999999999
    [InlineData("3991874543058.81", "2780668019490.92")] // 58,942,036.999… units; double estimates 58,942,037.0
    public void A_quotient_double_estimates_one_unit_off_is_corrected(string first, string second)
    {
        var constituents = new[]
        {
            new Constituent("A", MarketCap: decimal.Parse(first, CultureInfo.InvariantCulture)),
            new Constituent("B", MarketCap: decimal.Parse(second, CultureInfo.InvariantCulture)),
        };
        var rules = new WeightingRules(WeightingScheme.MarketCap);
        var allocation = TargetWeights.Compute(constituents, rules).Value;

        var bases = constituents.Select(c => Rational.Of(c.MarketCap!.Value)).ToList();
        var exact = ReferenceCapping.LambdaClamp(bases, [Rational.Of(1m), Rational.Of(1m)], Rational.Of(0m));
        Assert.Equal(ReferenceCapping.RoundLargestRemainder(exact, bases, ["A", "B"], rules.Precision), allocation.Weights.Select(w => w.Weight));
    }

    [Fact]
    public void An_asset_whose_weight_lands_exactly_on_the_cap_or_the_floor_is_free()
    {
        // 4 × 25 % with a cap of 25 %; and 0.1 / 0.2 / 0.7 where 0.1 meets a floor of 10 %: exactly on a bound, by
        // redistribution, neither held down nor lifted.
        var onCap = TargetWeights.Compute(
            [new("A", MarketCap: 7m), new("B", MarketCap: 7m), new("C", MarketCap: 7m), new("D", MarketCap: 7m)],
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.25m)).Value;
        var onFloor = TargetWeights.Compute(
            [new("A", MarketCap: 1m), new("B", MarketCap: 2m), new("C", MarketCap: 7m)],
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: 1m, AssetFloor: 0.1m)).Value;

        Assert.All(onCap.Weights, w => Assert.Equal((0.25m, WeightBound.Free), (w.Weight, w.Bound)));
        Assert.Equal([(0.1m, WeightBound.Free), (0.2m, WeightBound.Free), (0.7m, WeightBound.Free)], onFloor.Weights.Select(w => (w.Weight, w.Bound)));
    }
}
