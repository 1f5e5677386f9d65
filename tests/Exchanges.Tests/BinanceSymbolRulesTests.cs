using System.Text.Json;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Binance;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// A market order must pass LOT_SIZE and MARKET_LOT_SIZE both: its step is a multiple of each filter's. NOTIONAL's
/// maximum binds a market order only with applyMaxToMarket.
/// </summary>
public sealed class BinanceSymbolRulesTests
{
    [Theory]
    [InlineData("0.00001000", "0.00000000", "0.00001")] // MARKET_LOT_SIZE step 0: no step of its own
    [InlineData("0.00100000", "0.00001000", "0.001")] // powers of ten: the larger
    [InlineData("0.00200000", "0.00300000", "0.006")] // neither a multiple of the other: 0.003 is off LOT_SIZE's step
    [InlineData("0.40000000", "0.00600000", "1.2")]
    public void The_step_is_a_multiple_of_both_filters_steps(string lotStep, string marketLotStep, string expected)
    {
        using var symbol = JsonDocument.Parse($$"""
            {"symbol":"XYZUSDT","filters":[
              {"filterType":"LOT_SIZE","minQty":"0.00000000","maxQty":"9000.00000000","stepSize":"{{lotStep}}"},
              {"filterType":"MARKET_LOT_SIZE","minQty":"0.00000000","maxQty":"100.00000000","stepSize":"{{marketLotStep}}"},
              {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,"maxNotional":"9000000.00000000","applyMaxToMarket":false,"avgPriceMins":5}]}
            """);

        var rules = BinanceJson.Rules(symbol.RootElement);

        Assert.Equal(new SymbolRules(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), 0m, 5m, 100m), rules);
    }

    [Theory]
    [InlineData("true", "5000.00000000", 5000.0)] // Binance refuses a market order worth more
    [InlineData("false", "5000.00000000", null)] // Binance takes a larger market order
    [InlineData("true", "0.00000000", null)] // no maximum
    public void The_maximum_notional_applies_when_binance_applies_it_to_market_orders(string applyMaxToMarket, string maxNotional, double? expected)
    {
        using var symbol = JsonDocument.Parse($$"""
            {"symbol":"XYZUSDT","filters":[
              {"filterType":"LOT_SIZE","minQty":"0.00100000","maxQty":"9000.00000000","stepSize":"0.00100000"},
              {"filterType":"NOTIONAL","minNotional":"5.00000000","applyMinToMarket":true,"maxNotional":"{{maxNotional}}","applyMaxToMarket":{{applyMaxToMarket}},"avgPriceMins":5}]}
            """);

        var rules = BinanceJson.Rules(symbol.RootElement);

        Assert.Equal(new SymbolRules(0.001m, 0.001m, 5m, 9000m, MaxNotional: (decimal?)expected), rules);
    }
}
