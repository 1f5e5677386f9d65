using System.Globalization;
using System.Text.RegularExpressions;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// Parsers for the textual values of a manifest. Exact: "0.1%" is 0.001m, never a float. Each returns false for text
/// that does not match the schema's pattern, so the operator and the CLI reject exactly what the API server rejects.
/// </summary>
public static partial class Values
{
    public static bool TryParsePercent(string? text, out decimal fraction)
    {
        fraction = 0m;
        if (text is null || !Formats.IsWholeMatch(text, PercentRegex()))
        {
            return false;
        }

        fraction = decimal.Parse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) / 100m;
        return true;
    }

    public static bool TryParseAmount(string? text, out decimal amount)
    {
        amount = 0m;
        return text is not null && Formats.IsWholeMatch(text, AmountRegex())
            && decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out amount);
    }

    /// <summary>Hours, minutes and seconds as Go and Kubernetes write them: "720h", "1h30m", "90s". Empty text is rejected.</summary>
    public static bool TryParseDuration(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var match = DurationRegex().Match(text);
        if (!match.Success)
        {
            return false;
        }

        long Part(string group) => match.Groups[group].Success ? long.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        try
        {
            duration = checked(TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("m")) + TimeSpan.FromSeconds(Part("s")));
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>A fraction written back as a percentage, exactly: 0.001 → "0.1%".</summary>
    public static string Percent(decimal fraction) => (fraction * 100m).ToString("0.##########", CultureInfo.InvariantCulture) + "%";

    [GeneratedRegex(Formats.PercentPattern, RegexOptions.CultureInvariant)]
    private static partial Regex PercentRegex();

    [GeneratedRegex(Formats.AmountPattern, RegexOptions.CultureInvariant)]
    private static partial Regex AmountRegex();

    [GeneratedRegex(@"^(?:(?<h>[0-9]{1,7})h)?(?:(?<m>[0-9]{1,9})m)?(?:(?<s>[0-9]{1,11})s)?\z", RegexOptions.CultureInvariant)] // \z: .NET's $ also matches before a final newline
    private static partial Regex DurationRegex();
}
