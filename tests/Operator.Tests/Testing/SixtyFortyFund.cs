namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>The fund most operator tests trade: 10,000 in BTC and ETH at 60/40, manual weights.</summary>
internal static class SixtyFortyFund
{
    /// <summary>The manifest, with its <c>spec.prices</c> and <c>spec.exchange</c> (YAML flow maps) and any further spec lines appended.</summary>
    public static string Manifest(string prices = "{provider: file}", string extraSpec = "", string exchange = "{kind: paper, feeRate: 0.1%}") => $$"""
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata: {name: sixty-forty}
        spec:
          capital: 10000
          weighting: Manual
          constituents:
            - {symbol: BTC, coinGeckoId: bitcoin, weight: 60%}
            - {symbol: ETH, coinGeckoId: ethereum, weight: 40%}
          prices: {{prices}}
          exchange: {{exchange}}
        """ + extraSpec;

    /// <summary>A price document for the file provider: BTC at <paramref name="btc"/>, ETH at 2500.</summary>
    public static string Prices(DateTimeOffset observedAt, decimal btc = 50_000m) => $$"""
        {"observedAt": "{{observedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture)}}",
         "assets": {"BTC": {"price": "{{btc.ToString(System.Globalization.CultureInfo.InvariantCulture)}}", "marketCap": "900000000000"}, "ETH": {"price": "2500", "marketCap": "300000000000"} } }
        """;
}
