using CsCheck;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>The per-asset range check on mantissas agrees with decimal's own comparison, at every scale.</summary>
public sealed class MarketCapRangeTests
{
    private static bool ByDecimalComparison(decimal value) => value >= Limits.MinMarketCap && value <= Limits.MaxMarketCap;

    [Fact]
    public void Agrees_with_decimal_comparison_for_any_decimal()
    {
        var anyDecimal =
            from lo in Gen.Int
            from mid in Gen.Int
            from hi in Gen.Int[0, 3] // small high words too, so that many values land near the bounds
            from wide in Gen.Bool
            from negative in Gen.Bool
            from scale in Gen.Byte[0, 28]
            select new decimal(lo, mid, wide ? hi * 1_000_000_000 : hi, negative, scale);
        anyDecimal.Sample(value => Assert.Equal(ByDecimalComparison(value), MarketCapRange.Contains(value)), iter: 20_000);
    }

    [Fact]
    public void Agrees_with_decimal_comparison_one_step_either_side_of_each_bound_at_every_scale()
    {
        for (byte scale = 0; scale <= 28; scale++)
        {
            var step = new decimal(1, 0, 0, false, scale);
            foreach (var bound in new[] { Limits.MinMarketCap, Limits.MaxMarketCap })
            {
                foreach (var value in new[] { bound - step, bound, bound + step })
                {
                    Assert.Equal(ByDecimalComparison(value), MarketCapRange.Contains(value));
                }
            }
        }

        Assert.False(MarketCapRange.Contains(0m));
        Assert.False(MarketCapRange.Contains(-1m));
        Assert.False(MarketCapRange.Contains(decimal.MaxValue));
    }
}
