namespace CryptoIndex.Operator.Api;

/// <summary>The textual forms a manifest uses for numbers, shared by the schema patterns and the parsers.</summary>
public static class Formats
{
    /// <summary>A percentage as people write it: <c>25%</c>, <c>0.1%</c>, <c>100%</c>.</summary>
    public const string PercentPattern = @"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]{1,8})?)%$";

    /// <summary>
    /// A weight above 0%: <see cref="PercentPattern"/> without 0% (<c>0%</c>, <c>00.000%</c>). Written out without
    /// lookahead, which the API server's RE2 lacks: a whole part of 1 to 99, or 0 with 1 to 8 decimals not all zero.
    /// </summary>
    public const string PositivePercentPattern = @"^(100(\.0+)?|(0?[1-9]|[1-9][0-9])(\.[0-9]{1,8})?|0{1,2}\.(" + NonZeroDecimals + "))%$";

    // 1 to 8 decimals, at least one of them not 0: by the place of the first non-zero one.
    private const string NonZeroDecimals = "[1-9][0-9]{0,7}|0[1-9][0-9]{0,6}|00[1-9][0-9]{0,5}|000[1-9][0-9]{0,4}"
        + "|0000[1-9][0-9]{0,3}|00000[1-9][0-9]{0,2}|000000[1-9][0-9]?|0000000[1-9]";

    /// <summary>A non-negative decimal amount: <c>100000</c>, <c>2500.50</c>. Never an exponent, never a float.</summary>
    public const string AmountPattern = @"^[0-9]{1,15}(\.[0-9]{1,8})?$";

    /// <summary>
    /// The largest amount written as an integer (15 digits, as <see cref="AmountPattern"/> allows). A pattern applies to
    /// strings only, so an integer amount (<c>capital: -5</c>) needs the schema's numeric bounds as well.
    /// </summary>
    public const double AmountMaximum = 999_999_999_999_999;

    /// <summary>A Go/Kubernetes duration of hours, minutes and seconds: <c>720h</c>, <c>1h30m</c>, <c>90s</c>; never empty (written without lookahead, which the API server's RE2 lacks).</summary>
    public const string DurationPattern = @"^([0-9]+h([0-9]+m)?([0-9]+s)?|[0-9]+m([0-9]+s)?|[0-9]+s)$";

    /// <summary>A ticker: upper-case letters and digits.</summary>
    public const string SymbolPattern = @"^[A-Z0-9]{1,15}$";

    /// <summary>A Binance pair: upper-case letters and digits, base asset then quote asset (<c>BTCUSDT</c>).</summary>
    public const string BinancePairPattern = @"^[A-Z0-9]{2,20}$";

    /// <summary>
    /// Whether the whole of <paramref name="text"/> matches. .NET's <c>$</c> also matches before a final newline, RE2's
    /// (the API server's) does not: "5%\n" must be refused as the API server refuses it, not read as "5%" or crash a parser.
    /// </summary>
    public static bool IsWholeMatch(string text, System.Text.RegularExpressions.Regex regex) =>
        !text.EndsWith('\n') && regex.IsMatch(text);
}
