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
    /// Exchanges accept quantities only on their lot step, and rounding down never over-spends or over-sells.
    /// </summary>
    public static decimal FloorToStep(decimal value, decimal step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        return decimal.Floor(value / step) * step;
    }

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
