namespace CryptoIndex.Operator.Api;

/// <summary>The textual forms a manifest uses for numbers, shared by the schema patterns and the parsers.</summary>
public static class Formats
{
    /// <summary>A percentage as people write it: <c>25%</c>, <c>0.1%</c>, <c>100%</c>.</summary>
    public const string PercentPattern = @"^(100(\.0+)?|[0-9]{1,2}(\.[0-9]{1,8})?)%$";

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
