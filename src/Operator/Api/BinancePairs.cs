namespace CryptoIndex.Operator.Api;

/// <summary>
/// What <c>spec.constituents[].binancePair</c> may name. Prices come from that pair, but a Binance fund's orders and
/// exchange rules always go to <c>symbol + USDT</c> (an exchange account trades assets against one quote asset). On a
/// Binance fund another pair would price one market and trade another, so it is refused; a paper fund only prices from
/// it and keeps any pair.
/// </summary>
public static class BinancePairs
{
    /// <summary>A fund's USD is held as USDT on Binance: its pairs are BTCUSDT, ETHUSDT, …</summary>
    public const string QuoteAsset = "USDT";

    /// <summary>The pair a constituent trades on Binance, and is priced from unless it names another.</summary>
    public static string Traded(string symbol) => symbol + QuoteAsset;

    /// <summary>
    /// The error for a constituent of a Binance fund whose pair is not the one its orders go to, or null. Only a
    /// well-formed symbol and pair are compared: a malformed one already has its own error.
    /// </summary>
    public static FieldError? CheckTradedPair(string field, string? symbol, string? pair)
    {
        if (pair is null || symbol is null || !Matches(symbol, Formats.SymbolPattern) || !Matches(pair, Formats.BinancePairPattern))
        {
            return null;
        }

        var traded = Traded(symbol);
        if (string.Equals(pair, traded, StringComparison.Ordinal))
        {
            return null;
        }

        var rule = $"a fund trading on Binance trades {traded}; binancePair {pair} would price another market: ";
        var baseAsset = pair.EndsWith(QuoteAsset, StringComparison.Ordinal) ? pair[..^QuoteAsset.Length] : null;
        return new FieldError(field, baseAsset is not null && Matches(baseAsset, Formats.SymbolPattern)
            ? rule + $"name the constituent by its Binance base asset (symbol {baseAsset}) or omit binancePair"
            : rule + "omit binancePair: the fund is then priced from the market it trades");
    }

    private static bool Matches(string text, string pattern) =>
        System.Text.RegularExpressions.Regex.IsMatch(text, pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
