using System.Numerics;
using System.Runtime.CompilerServices;

namespace CryptoIndex.Engine;

/// <summary>Exact-as-decimal helpers that <see cref="decimal"/> itself lacks. All are deterministic.</summary>
public static class DecimalMath
{
    private static readonly decimal[] PowersOfTen = BuildPowersOfTen();

    /// <summary>10^-places, for 0 ≤ places ≤ 28.</summary>
    public static decimal Unit(int places)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(places);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(places, 28);
        return 1m / PowersOfTen[places];
    }

    /// <summary>10^exponent for -28 ≤ exponent ≤ 28, exactly.</summary>
    public static decimal PowerOfTen(int exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(exponent, -28);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(exponent, 28);
        return exponent >= 0 ? PowersOfTen[exponent] : 1m / PowersOfTen[-exponent];
    }

    /// <summary>The decimal exponent of a positive value: k such that 10^k ≤ value &lt; 10^(k+1).</summary>
    public static int Exponent(decimal value)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
        var exponent = 0;
        while (exponent < 28 && value >= PowersOfTen[exponent + 1])
        {
            exponent++;
        }

        while (exponent > -28 && value < PowerOfTen(exponent))
        {
            exponent--;
        }

        return exponent;
    }

    /// <summary>Rounds toward zero to <paramref name="places"/> decimal places (a floor for non-negative values).</summary>
    public static decimal Truncate(decimal value, int places) => decimal.Round(value, places, MidpointRounding.ToZero);

    /// <summary>
    /// The largest multiple of <paramref name="step"/> that is ≤ <paramref name="value"/>, for value ≥ 0 and step &gt; 0.
    /// Exchanges accept quantities only on their lot step, and rounding down never over-spends or over-sells. Computed
    /// as value − (value mod step), which is exact: value/step could round up to the next integer, or overflow.
    /// </summary>
    public static decimal FloorToStep(decimal value, decimal step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        return Normalize(value - (value % step));
    }

    /// <summary>The same value without trailing zeros (2.500 → 2.5), so quantities print as people expect.</summary>
    public static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>Number of digits after the decimal point once trailing zeros are ignored (0.2500 → 2).</summary>
    public static int Scale(decimal value)
    {
        var scale = value.Scale;
        while (scale > 0 && decimal.Round(value, scale - 1) == value)
        {
            scale--;
        }

        return scale;
    }

    /// <summary>
    /// Square root to decimal's full precision, for value ≥ 0. Newton's method started from the double estimate;
    /// the result is the same on every machine because each step is decimal arithmetic.
    /// </summary>
    public static decimal Sqrt(decimal value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (value == 0m)
        {
            return 0m;
        }

        var x = (decimal)Math.Sqrt((double)value);
        for (var i = 0; i < 8; i++)
        {
            var next = (x + (value / x)) / 2m;
            if (next == x)
            {
                break;
            }

            x = next;
        }

        return x;
    }

    /// <summary>
    /// √value correctly rounded to <paramref name="places"/> decimal places: the nearest multiple of 10^-places, and
    /// at an exact tie (possible only when value has more than 2·places decimals) the larger. Computed exactly as an
    /// integer square root of value·10^(2·places): in 128 bits when that fits, else in <see cref="BigInteger"/>.
    /// </summary>
    public static decimal RoundedSqrt(decimal value, int places)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfNegative(places);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(places, 14);
        var parts = DecimalParts.Of(value, stackalloc int[4]);
        return TryRoundedSqrtUnits(parts, places, out var root) ? FromUnits(root, places) : RoundedSqrtBig(parts, places);
    }

    /// <summary>
    /// <see cref="RoundedSqrt"/> for any decimal, in BigInteger. With X = 4·value·10^(2·places), the rounded root in
    /// units is ⌊(√X + 1)/2⌋ = ⌊(⌊√⌊X⌋⌋ + 1)/2⌋: one integer square root, no rounding of an inexact root (which could
    /// land on the wrong side of a midpoint).
    /// </summary>
    internal static decimal RoundedSqrtBig(DecimalParts value, int places)
    {
        var exponent = (2 * places) - value.Scale;
        var four = 4 * (BigInteger)value.Mantissa;
        var x = exponent >= 0 ? four * BigInteger.Pow(10, exponent) : four / BigInteger.Pow(10, -exponent);
        var units = (IntegerSqrt(x) + 1) / 2;
        return FromUnits((UInt128)units, places); // √(7.9·10^28)·10^14 < 2^96: it fits
    }

    /// <summary>⌊√n⌋ for n ≥ 0, by Newton's method from above.</summary>
    private static BigInteger IntegerSqrt(BigInteger n)
    {
        if (n < 2)
        {
            return n;
        }

        var x = BigInteger.One << (int)((n.GetBitLength() + 1) / 2); // ≥ √n
        while (true)
        {
            var next = (x + (n / x)) >> 1;
            if (next >= x)
            {
                return x;
            }

            x = next;
        }
    }

    /// <summary>
    /// <see cref="RoundedSqrt"/> in units of 10^-<paramref name="places"/>, by an integer square root of
    /// value·10^(2·places); false when that would not fit in 128 bits (the caller then uses <see cref="RoundedSqrtBig"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // one call per asset in √ weighting's tight loop
    internal static bool TryRoundedSqrtUnits(DecimalParts value, int places, out ulong root)
    {
        root = 0;
        var shift = (2 * places) - value.Scale;
        if (value.IsNegative || shift < 0 || BitLength(value.Mantissa) + BitLength(IntegerPowersOfTen[shift]) > 126)
        {
            return false;
        }

        // radicand < 2^126, so its root fits in 63 bits and every square below is one 64×64-bit multiplication.
        var radicand = value.Mantissa * IntegerPowersOfTen[shift];
        root = (ulong)Math.Sqrt(ToDouble(radicand));

        // double's root can be off by about 2^10 units at this size; one integer Newton step brings it within one,
        // and never below ⌊√radicand⌋ (so the step down below runs at most once, the step up only from a zero root).
        if (root > 0)
        {
            root = (ulong)((root + (radicand / root)) >> 1);
        }

        var square = Math.BigMul(root, root);
        while (square > radicand)
        {
            root--;
            square = Math.BigMul(root, root);
        }

        // (root + 1)² ≤ radicand exactly when radicand − root² > 2·root.
        while (radicand - square > 2 * (UInt128)root)
        {
            square += (2 * (UInt128)root) + 1;
            root++;
        }

        // Round to nearest: (root + ½)² = root² + root + ¼, so round up exactly when radicand − root² > root.
        if (radicand - square > root)
        {
            root++;
        }

        return true;
    }

    /// <summary>units / 10^scale as a decimal (64-bit units: no 128-bit shifts).</summary>
    internal static decimal FromUnits(ulong units, int scale) =>
        new((int)(uint)units, (int)(uint)(units >> 32), 0, false, (byte)scale);

    /// <summary>10^k as a 128-bit integer, for 0 ≤ k ≤ 38.</summary>
    internal static readonly UInt128[] IntegerPowersOfTen = BuildIntegerPowersOfTen();

    /// <summary>The 96-bit integer mantissa of a decimal and its scale: value = mantissa / 10^scale (sign dropped).</summary>
    internal static UInt128 Mantissa(decimal value, out int scale)
    {
        var parts = DecimalParts.Of(value, stackalloc int[4]);
        scale = parts.Scale;
        return parts.Mantissa;
    }

    /// <summary>
    /// value as a double, within an ulp or two: an estimate, never a result. UInt128's own conversion rounds correctly
    /// in software and costs several times as much.
    /// </summary>
    internal static double ToDouble(UInt128 value) =>
        ((double)(ulong)(value >> 64) * 18446744073709551616.0) + (ulong)value;

    /// <summary>units / 10^scale as a decimal, for units below 2^96.</summary>
    internal static decimal FromUnits(UInt128 units, int scale) => units <= ulong.MaxValue
        ? FromUnits((ulong)units, scale) // the usual case, without 128-bit shifts (calls, not instructions)
        : new((int)(uint)units, (int)(uint)(units >> 32), (int)(uint)(units >> 64), false, (byte)scale);

    internal static int BitLength(UInt128 value) => 128 - (int)UInt128.LeadingZeroCount(value);

    private static UInt128[] BuildIntegerPowersOfTen()
    {
        var powers = new UInt128[39];
        powers[0] = UInt128.One;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }

    private static decimal[] BuildPowersOfTen()
    {
        var powers = new decimal[29];
        powers[0] = 1m;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10m;
        }

        return powers;
    }
}
