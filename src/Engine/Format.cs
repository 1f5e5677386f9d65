using System.Globalization;

namespace CryptoIndex.Engine;

/// <summary>
/// Culture-invariant formatting for numbers that reach people (messages, events, status). Rounding for display is
/// half away from zero at the stated number of places; the underlying values are never rounded by display.
/// </summary>
public static class Format
{
    /// <summary>A fraction as a percentage with up to <paramref name="places"/> decimals: 0.2512345 → "25.12%".</summary>
    public static string Percent(decimal fraction, int places = 2) =>
        IsDisplayable(fraction) ? Number(fraction * 100m, places) + "%" : Number(fraction) + " (as a fraction)";

    /// <summary>A fraction as signed percentage points: 0.062 → "+6.2pp", -0.01 → "-1pp".</summary>
    public static string PercentagePoints(decimal fraction, int places = 2)
    {
        if (!IsDisplayable(fraction))
        {
            return Number(fraction) + " (as a fraction)";
        }

        var rounded = decimal.Round(fraction * 100m, places, MidpointRounding.AwayFromZero);
        var sign = rounded > 0m ? "+" : string.Empty;
        return sign + Number(rounded, places) + "pp";
    }

    // Values this far out are bad input being reported: multiplying them by 100 would overflow.
    private static bool IsDisplayable(decimal fraction) => fraction is > -1e20m and < 1e20m;

    /// <summary>A plain number with up to <paramref name="places"/> decimals and no trailing zeros.</summary>
    public static string Number(decimal value, int places = 8)
    {
        var rounded = decimal.Round(value, places, MidpointRounding.AwayFromZero);
        return rounded.ToString("0." + new string('#', Math.Max(places, 1)), CultureInfo.InvariantCulture);
    }

    /// <summary>A duration the way Kubernetes manifests write it: 90 minutes → "1h30m", 36 hours → "36h".</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            return "-" + Duration(duration.Negate());
        }

        var hours = (long)duration.TotalHours;
        var parts = string.Empty;
        if (hours > 0)
        {
            parts += hours.ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (duration.Minutes > 0)
        {
            parts += duration.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        }

        if (duration.Seconds > 0 || parts.Length == 0)
        {
            parts += duration.Seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        return parts;
    }
}
