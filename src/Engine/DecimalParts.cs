using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// For a value ≥ 0 whose mantissa fits in 64 bits (every market cap a feed reports), the mantissa and scale, read
    /// straight from the decimal's fields: the per-asset path of the weighting, where <see cref="Of"/>'s copy through a
    /// span and 128-bit halves cost more than the rest of the check. False for a negative value or a wider mantissa.
    /// </summary>
    public static bool TryNarrow(decimal value, out ulong mantissa, out int scale)
    {
        var fields = Unsafe.As<decimal, Fields>(ref value);
        mantissa = fields.Low;
        scale = (fields.Flags >> 16) & 0xFF;
        return fields.Flags >= 0 && fields.High == 0;
    }

    /// <summary>
    /// System.Decimal's layout (flags, high 32 bits, low 64 bits of the mantissa) since .NET Core 3.0; a test checks it
    /// against <see cref="decimal.GetBits(decimal)"/>.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Fields
    {
        public readonly int Flags;
        public readonly uint High;
        public readonly ulong Low;
    }

    /// <summary>The mantissa as a double (within an ulp or two): an estimate for classification, never a result.</summary>
    public double MantissaEstimate => DecimalMath.ToDouble(Mantissa);
}
