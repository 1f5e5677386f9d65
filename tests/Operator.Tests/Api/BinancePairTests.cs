using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>
/// binancePair says where a constituent is priced from; a Binance fund's orders always go to symbol + USDT. So a
/// Binance fund naming another pair is refused (it would price one market and trade another); a paper fund keeps any.
/// </summary>
public sealed class BinancePairTests
{
    private const string Binance = "{kind: binance, credentialsSecretRef: {name: binance-keys}}";
    private const string Paper = "{kind: paper}";

    [Fact]
    public void A_binance_fund_whose_pair_is_another_asset_is_refused_naming_the_field_and_the_asset_to_name()
    {
        var (definition, errors) = Validate(Binance, "{symbol: BTT, binancePair: BTTCUSDT}");

        Assert.Null(definition);
        Assert.Equal(
            ["spec.constituents[1].binancePair: a fund trading on Binance trades BTTUSDT; binancePair BTTCUSDT would price another market: "
                + "name the constituent by its Binance base asset (symbol BTTC) or omit binancePair"],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_binance_fund_whose_pair_has_another_quote_asset_is_told_to_omit_it()
    {
        var (definition, errors) = Validate(Binance, "{symbol: ETH, binancePair: ETHBTC}");

        Assert.Null(definition);
        Assert.Equal(
            ["spec.constituents[1].binancePair: a fund trading on Binance trades ETHUSDT; binancePair ETHBTC would price another market: "
                + "omit binancePair: the fund is then priced from the market it trades"],
            errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_paper_fund_keeps_any_pair_to_price_from()
    {
        var (definition, errors) = Validate(Paper, "{symbol: BTT, binancePair: BTTCUSDT}");

        Assert.Empty(errors);
        Assert.Equal(["BTCUSDT", "BTTCUSDT"], definition!.Constituents.Select(c => c.BinancePair));
    }

    [Theory]
    [InlineData("{symbol: ETH, binancePair: ETHUSDT}")]
    [InlineData("{symbol: ETH}")]
    public void A_binance_fund_may_name_the_pair_it_trades_or_omit_it(string constituent)
    {
        var (definition, errors) = Validate(Binance, constituent);

        Assert.Empty(errors);
        Assert.Equal(["BTCUSDT", "ETHUSDT"], definition!.Constituents.Select(c => c.BinancePair));
    }

    [Theory]
    [InlineData(Binance)]
    [InlineData(Paper)]
    public void A_lower_case_pair_is_refused_by_its_pattern_alone_even_when_it_spells_the_traded_pair(string exchange)
    {
        var (definition, errors) = Validate(exchange, "{symbol: ETH, binancePair: ethusdt}");

        Assert.Null(definition);
        Assert.Equal(["spec.constituents[1].binancePair: 'ethusdt' is not a Binance pair such as BTCUSDT"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_lower_case_symbol_is_refused_by_its_pattern_and_its_pair_is_not_compared_with_it()
    {
        var (_, errors) = Validate(Binance, "{symbol: eth, binancePair: ETHUSDT}");

        Assert.Equal(["spec.constituents[1].symbol: 'eth' is not an upper-case ticker such as BTC"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Every_constituent_trading_another_market_is_named_at_once_beside_other_problems()
    {
        var (_, errors) = Validate(Binance, "{symbol: ETH, binancePair: ETHUSDC}", btcPair: "BTCUSDC", assetCap: "20%");

        Assert.Equal(
            ["spec.assetCap", "spec.constituents[0].binancePair", "spec.constituents[1].binancePair"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_crd_states_the_rule_for_api_servers_that_evaluate_cel_with_lengths_that_bound_its_cost()
    {
        var spec = CrdGenerator.IndexFund()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!;
        var item = spec["properties"]!["constituents"]!["items"]!["properties"]!;

        var rule = Assert.Single(spec["x-kubernetes-validations"]!.AsArray(), r => ((string)r!["rule"]!).Contains("binancePair", StringComparison.Ordinal))!;
        Assert.Equal(
            "self.exchange.kind != 'binance' || self.constituents.all(c, !has(c.binancePair) || c.binancePair == c.symbol + 'USDT')",
            (string?)rule["rule"]);
        Assert.Equal(".constituents", (string?)rule["fieldPath"]);
        // Without maxLength the API server prices each string at the request size and refuses the CRD as too costly.
        Assert.Equal((15, 20), ((int)item["symbol"]!["maxLength"]!, (int)item["binancePair"]!["maxLength"]!));
    }

    private static (FundDefinition? Definition, IReadOnlyList<FieldError> Errors) Validate(
        string exchange, string constituent, string btcPair = "BTCUSDT", string assetCap = "100%")
    {
        var (funds, readError) = ManifestReader.Read($$"""
            apiVersion: cryptoindex.io/v1alpha1
            kind: IndexFund
            metadata: {name: fund}
            spec:
              capital: 1000
              weighting: Equal
              assetCap: {{assetCap}}
              constituents:
                - {symbol: BTC, binancePair: {{btcPair}}}
                - {{constituent}}
              exchange: {{exchange}}
            """);
        Assert.Null(readError);
        return SpecValidator.Validate(Assert.Single(funds).Spec);
    }
}
