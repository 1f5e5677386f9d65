namespace CryptoIndex.Engine;

/// <summary>
/// A decimal taken apart: value = ±<see cref="Mantissa"/> / 10^<see cref="Scale"/>, the mantissa below 2^96. Read once
/// per value so that checks and conversions on hot paths are integer comparisons, not decimal arithmetic.
/// </summary>
internal readonly record struct DecimalParts(UInt128 Mantissa, int Scale, bool IsNegative)
{
    /// <summary>Takes <paramref name="value"/> apart; <paramref name="scratch"/> holds four ints (stackalloc'd once by the caller).</summary>
    public static DecimalParts Of(decimal value, Span<int> scratch)
    {
        decimal.GetBits(value, scratch);

        // Built from two halves, not shifted together: UInt128's shifts are calls.
        var mantissa = new UInt128((uint)scratch[2], ((ulong)(uint)scratch[1] << 32) | (uint)scratch[0]);
        return new DecimalParts(mantissa, (scratch[3] >> 16) & 0xFF, scratch[3] < 0);
    }

    /// <summary>The mantissa as a double (within an ulp or two): an estimate for classification, never a result.</summary>
    public double MantissaEstimate => DecimalMath.ToDouble(Mantissa);
}
