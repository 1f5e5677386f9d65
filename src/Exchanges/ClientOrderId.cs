using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CryptoIndex.Exchanges;

/// <summary>
/// Deterministic client order ids: <c>ci-{fund}-{sequence}-{leg}</c>, where <c>{fund}</c> is the first 12 hex digits
/// of the fund's Kubernetes uid without dashes (lowercase; a uid that is not hex is hashed with SHA-256 instead),
/// <c>{sequence}</c> the rebalance sequence (0 ≤ s &lt; 10^12) and <c>{leg}</c> the leg number (1 ≤ leg &lt; 10^6), both
/// in decimal without leading zeros. At most 3 + 12 + 1 + 12 + 1 + 6 = 35 characters of <c>[a-z0-9-]</c>, inside
/// Binance's <c>^[a-zA-Z0-9-_]{1,36}$</c>. The same leg always gets the same id, so a resend after a lost answer
/// reuses it and the order can be looked up by it.
/// </summary>
public static class ClientOrderId
{
    public const int MaxLength = 36;
    public const long MaxSequence = 999_999_999_999;
    public const int MaxLeg = 999_999;
    private const string Prefix = "ci-";

    public static string Create(string fundUid, long sequence, int leg)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fundUid);
        ArgumentOutOfRangeException.ThrowIfNegative(sequence);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sequence, MaxSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(leg, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(leg, MaxLeg);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{FundPart(fundUid)}-{sequence}-{leg}");
    }

    /// <summary>The 12-character fund part of an id.</summary>
    public static string FundPart(string fundUid)
    {
        ArgumentNullException.ThrowIfNull(fundUid);
        var hex = fundUid.Replace("-", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        if (hex.Length >= 12 && hex.All(char.IsAsciiHexDigit))
        {
            return hex[..12];
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fundUid)))[..12];
    }

    /// <summary>Reads an id back into its parts; shows the format is unambiguous.</summary>
    public static bool TryParse(string id, out string fundPart, out long sequence, out int leg)
    {
        fundPart = string.Empty;
        sequence = 0;
        leg = 0;
        if (id is null || !id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = id[Prefix.Length..].Split('-');
        return parts.Length == 3
            && parts[0].Length == 12
            && IsCanonical(parts[1]) && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
            && IsCanonical(parts[2]) && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out leg)
            && (fundPart = parts[0]).Length == 12;
    }

    private static bool IsCanonical(string digits) => digits.Length > 0 && (digits == "0" || digits[0] != '0');
}
