namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Whether a market cap lies within [<see cref="Limits.MinMarketCap"/>, <see cref="Limits.MaxMarketCap"/>], decided
/// on the decimal's integer mantissa against a bound per scale: exact like decimal's own comparison, and cheap enough
/// to run for every asset of every computation.
/// </summary>
internal static class MarketCapRange
{
    private const int MaxScale = 28;

    // For each scale s, the smallest and largest mantissa m with m / 10^s inside the range.
    private static readonly UInt128[] LowestMantissa = MantissaBounds(Limits.MinMarketCap, roundUp: true);
    private static readonly UInt128[] HighestMantissa = MantissaBounds(Limits.MaxMarketCap, roundUp: false);

    public static bool Contains(decimal value)
    {
        var mantissa = DecimalMath.Mantissa(value, out var scale);
        return !decimal.IsNegative(value) && mantissa >= LowestMantissa[scale] && mantissa <= HighestMantissa[scale];
    }

    /// <summary>⌈bound·10^s⌉ (or ⌊bound·10^s⌋) for every scale s; a bound beyond 128 bits saturates.</summary>
    private static UInt128[] MantissaBounds(decimal bound, bool roundUp)
    {
        var powers = DecimalMath.IntegerPowersOfTen;
        var mantissa = DecimalMath.Mantissa(bound, out var boundScale);
        var bounds = new UInt128[MaxScale + 1];
        for (var scale = 0; scale <= MaxScale; scale++)
        {
            if (scale >= boundScale)
            {
                var factor = powers[scale - boundScale];
                bounds[scale] = DecimalMath.BitLength(mantissa) + DecimalMath.BitLength(factor) > 127 ? UInt128.MaxValue : mantissa * factor;
            }
            else
            {
                var (quotient, remainder) = UInt128.DivRem(mantissa, powers[boundScale - scale]);
                bounds[scale] = roundUp && remainder != UInt128.Zero ? quotient + 1 : quotient;
            }
        }

        return bounds;
    }
}
