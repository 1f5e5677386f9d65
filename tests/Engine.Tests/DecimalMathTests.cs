using CsCheck;
using CryptoIndex.Engine.Tests.Oracles;

namespace CryptoIndex.Engine.Tests;

public sealed class DecimalMathTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("20")]
    [InlineData("936051.773")]
    [InlineData("0.01")]
    public void Square_roots_of_exact_squares_are_exact(string root)
    {
        var exactRoot = decimal.Parse(root, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(exactRoot, DecimalMath.Sqrt(exactRoot * exactRoot));
    }

    [Fact]
    public void Square_root_of_two_is_right_to_decimal_precision()
    {
        // √2 = 1.41421356237309504880168872420969807856967…
        Assert.Equal(1.4142135623730950488016887242m, DecimalMath.Sqrt(2m));
    }

    [Fact]
    public void Square_root_is_within_one_unit_of_the_last_place_for_large_market_caps()
    {
        var value = 1_317_802_988_326.25m;
        var root = DecimalMath.Sqrt(value);
        var unit = DecimalMath.Unit(root.Scale);
        Assert.True(root * root <= value + (2m * root * unit) && root * root >= value - (2m * root * unit));
    }

    [Theory]
    [InlineData("0.123456789", "0.001", "0.123")]
    [InlineData("5", "2", "4")]
    [InlineData("0.0009", "0.001", "0")]
    [InlineData("1.5", "0.5", "1.5")]
    [InlineData("2.9999999999999999999999999999", "3", "0")]
    [InlineData("10000000000", "0.00000000000000000001", "10000000000")]
    public void Floor_to_step_rounds_down_to_a_multiple_of_the_step(string value, string step, string expected)
    {
        decimal Parse(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Parse(expected), DecimalMath.FloorToStep(Parse(value), Parse(step)));
    }

    [Theory]
    [InlineData("0.2500", 2)]
    [InlineData("1", 0)]
    [InlineData("0.00000001", 8)]
    [InlineData("12.340", 2)]
    public void Scale_ignores_trailing_zeros(string value, int scale)
    {
        Assert.Equal(scale, DecimalMath.Scale(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Truncate_rounds_toward_zero()
    {
        Assert.Equal(0.33333333m, DecimalMath.Truncate(1m / 3m, 8));
        Assert.Equal(0.66666666m, DecimalMath.Truncate(2m / 3m, 8));
    }

    [Theory]
    [InlineData("2", 12, "1.414213562373")]
    [InlineData("876192941903", 12, "936051.783772137256")] // Python decimal, 60 digits: 936051.78377213725600253…
    [InlineData("400", 12, "20")]
    [InlineData("0.01", 3, "0.1")]
    [InlineData("0", 5, "0")]
    [InlineData("12", 0, "3")] // 12 = 3² + 3 lies below (3 + ½)² = 12.25: down
    [InlineData("13", 0, "4")] // 13 = 3² + 3 + 1 lies above it: up
    [InlineData("1000000000015000000000056", 0, "1000000000007")] // r² + r with r = 10^12 + 7: down
    [InlineData("1000000000015000000000057", 0, "1000000000008")] // r² + r + 1: up
    [InlineData("900000000000690000000000132", 0, "30000000000011")] // r² + r with r = 3·10^13 + 11, near 2^96
    [InlineData("900000000000690000000000133", 0, "30000000000012")]
    public void Rounded_square_roots(string value, int places, string expected)
    {
        decimal Parse(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Parse(expected), DecimalMath.RoundedSqrt(Parse(value), places));
    }

    [Fact]
    public void Rounded_square_root_is_the_nearest_value_at_its_places()
    {
        // r is correct iff (r − ½u)² ≤ v < (r + ½u)², checked in exact rationals, for market-cap sized values.
        // Up to 10^18 with 0 to 4 places: both the 128-bit integer path and the decimal fallback, at every size.
        var values =
            from magnitude in Gen.Int[0, 18]
            from places in Gen.Int[0, 4]
            from d in Gen.Decimal[0m, 1m]
            select decimal.Round(d * DecimalMath.PowerOfTen(magnitude), places);
        values.Sample(IsTheNearestRootAt12Places, iter: 3000);
    }

    [Fact]
    public void Rounded_square_root_beyond_128_bits_is_rounded_once_from_the_exact_root()
    {
        // Past 8.5·10^13 (at 12 places) the root is taken in BigInteger. Rounding a decimal root to 12 places rounded
        // twice and gave …670700 here; the exact root is 999999999.99999967069949999…
        Assert.Equal(999999999.999999670699m, DecimalMath.RoundedSqrt(999999999999999341.399m, 12));

        // An exact tie, possible only with more than 2·12 decimals: √ = 1.0000000000005, rounded to the larger.
        Assert.Equal(1.000000000001m, DecimalMath.RoundedSqrt(1.00000000000100000000000025m, 12));

        // Any size and scale decimal has: the nearest multiple of 10^-12 (a tie to the larger), checked in rationals.
        var values =
            from mantissa in Gen.Decimal[0m, decimal.MaxValue]
            from scale in Gen.Int[0, 28]
            select new decimal(decimal.GetBits(mantissa)[0], decimal.GetBits(mantissa)[1], decimal.GetBits(mantissa)[2], false, (byte)scale);
        values.Sample(IsTheNearestRootAt12Places, iter: 5000);
    }

    // r is correct iff (r − ½u)² ≤ v < (r + ½u)² (a tie goes to the larger), checked in exact rationals.
    private static void IsTheNearestRootAt12Places(decimal value)
    {
        var root = DecimalMath.RoundedSqrt(value, 12);
        var half = Rational.Of(0.0000000000005m);
        var v = Rational.Of(value);
        var low = Rational.Of(root) - half;
        var high = Rational.Of(root) + half;
        Assert.True((low <= Rational.Zero || low * low <= v) && v < high * high, $"√{value} → {root}");
    }
}
