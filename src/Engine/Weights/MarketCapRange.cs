using System.Numerics;
using System.Runtime.CompilerServices;

namespace CryptoIndex.Engine.Weights;

/// <summary>
/// Whether a market cap lies within <see cref="Limits.MinMarketCap"/>..<see cref="Limits.MaxMarketCap"/>, exactly and
/// without decimal comparisons: for each scale, the smallest and largest mantissa inside the range.
/// </summary>
internal static class MarketCapRange
{
    private const int MaxScale = 28;
    private static readonly UInt128[] LowestMantissa = Table(Limits.MinMarketCap, roundUp: true);
    private static readonly UInt128[] HighestMantissa = Table(Limits.MaxMarketCap, roundUp: false);

    // The same bounds for 64-bit mantissas: at a scale whose lowest mantissa needs more than 64 bits, none is in
    // range (highest 0, below the lowest).
    private static readonly ulong[] LowestNarrow = [.. LowestMantissa.Select(Narrow)];
    private static readonly ulong[] HighestNarrow = [.. HighestMantissa.Select((highest, scale) => LowestMantissa[scale] > ulong.MaxValue ? 0 : Narrow(highest))];

    /// <summary><see cref="Contains"/> for a market cap ≥ 0 whose mantissa fits in 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool ContainsNarrow(ulong mantissa, int scale) =>
        (uint)scale <= MaxScale && mantissa >= LowestNarrow[scale] && mantissa <= HighestNarrow[scale];

    public static bool Contains(DecimalParts marketCap) =>
        !marketCap.IsNegative
        && marketCap.Mantissa >= LowestMantissa[marketCap.Scale]
        && marketCap.Mantissa <= HighestMantissa[marketCap.Scale];

    private static ulong Narrow(UInt128 bound) => bound > ulong.MaxValue ? ulong.MaxValue : (ulong)bound;

    // bound·10^scale as an integer, rounded toward the inside of the range; above 128 bits no mantissa reaches it.
    private static UInt128[] Table(decimal bound, bool roundUp)
    {
        var table = new UInt128[MaxScale + 1];
        var parts = DecimalParts.Of(bound, stackalloc int[4]);
        for (var scale = 0; scale <= MaxScale; scale++)
        {
            var numerator = (BigInteger)parts.Mantissa * BigInteger.Pow(10, scale);
            var denominator = BigInteger.Pow(10, parts.Scale);
            var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
            if (roundUp && !remainder.IsZero)
            {
                quotient++;
            }

            table[scale] = quotient > (BigInteger)UInt128.MaxValue ? UInt128.MaxValue : (UInt128)quotient;
        }

        return table;
    }
}
