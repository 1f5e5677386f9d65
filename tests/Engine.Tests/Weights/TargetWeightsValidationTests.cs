using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>Every infeasible or malformed input is an error value naming its rule and field, never an exception.</summary>
public sealed class TargetWeightsValidationTests
{
    private static readonly Constituent[] ThreeAssets =
    [
        new("BTC", MarketCap: 900), new("ETH", MarketCap: 400), new("SOL", MarketCap: 100),
    ];

    public static TheoryData<string, Constituent[], WeightingRules, string, string> InvalidInputs => new()
    {
        { "no constituents", [], new WeightingRules(WeightingScheme.Equal), Rules.NoConstituents, "constituents" },
        { "empty symbol", [new(" ")], new WeightingRules(WeightingScheme.Equal), Rules.InvalidSymbol, "constituents[0].symbol" },
        { "duplicate symbol", [new("BTC"), new("ETH"), new("BTC")], new WeightingRules(WeightingScheme.Equal), Rules.DuplicateSymbol, "constituents[2].symbol" },
        { "cap above 100%", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetCap: 1.5m), Rules.CapOutOfRange, "assetCap" },
        { "cap of zero", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0m), Rules.CapOutOfRange, "assetCap" },
        { "negative floor", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetFloor: -0.1m), Rules.FloorOutOfRange, "assetFloor" },
        { "floor above cap", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.4m, AssetFloor: 0.5m), Rules.FloorAboveCap, "assetFloor" },
        { "cap infeasible", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.3m), Rules.CapInfeasible, "assetCap" },
        { "floor infeasible", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetFloor: 0.34m), Rules.FloorInfeasible, "assetFloor" },
        { "cap finer than precision", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.333333333m), Rules.TooPrecise, "assetCap" },
        { "precision out of range", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, Precision: 25), Rules.PrecisionOutOfRange, "precision" },
        { "missing market cap", [new("BTC", MarketCap: 1), new("ETH")], new WeightingRules(WeightingScheme.MarketCap), Rules.MissingMarketCap, "prices[ETH].marketCap" },
        { "zero market cap", [new("BTC", MarketCap: 1), new("USDC", MarketCap: 0)], new WeightingRules(WeightingScheme.SqrtMarketCap), Rules.NonPositiveMarketCap, "prices[USDC].marketCap" },
        { "missing manual weight", [new("BTC", ManualWeight: 1m), new("ETH")], new WeightingRules(WeightingScheme.Manual), Rules.MissingManualWeight, "constituents[1].weight" },
        { "manual weight above 1", [new("BTC", ManualWeight: 1.2m), new("ETH", ManualWeight: -0.2m)], new WeightingRules(WeightingScheme.Manual), Rules.ManualWeightOutOfRange, "constituents[0].weight" },
        { "manual weights not summing to 1", [new("BTC", ManualWeight: 0.6m), new("ETH", ManualWeight: 0.3m)], new WeightingRules(WeightingScheme.Manual), Rules.ManualWeightsSum, "constituents" },
        { "weight without Manual", [new("BTC", ManualWeight: 0.6m), new("ETH")], new WeightingRules(WeightingScheme.Equal), Rules.ManualWeightNotAllowed, "constituents[0].weight" },
        { "per-asset cap below floor", [new("BTC", Cap: 0.05m), new("ETH"), new("SOL")], new WeightingRules(WeightingScheme.Equal, AssetFloor: 0.1m), Rules.FloorAboveCap, "constituents[0].cap" },
        { "market cap below a cent", [new("BTC", MarketCap: 1), new("DUST", MarketCap: 0.000000001m)], new WeightingRules(WeightingScheme.SqrtMarketCap), Rules.MarketCapOutOfRange, "prices[DUST].marketCap" },
        { "market cap just below a cent", [new("BTC", MarketCap: 1), new("DUST", MarketCap: 0.0099999999m)], new WeightingRules(WeightingScheme.MarketCap), Rules.MarketCapOutOfRange, "prices[DUST].marketCap" },
        { "market cap just above 10^18", [new("BTC", MarketCap: 1), new("HUGE", MarketCap: 1_000_000_000_000_000_000.01m)], new WeightingRules(WeightingScheme.MarketCap), Rules.MarketCapOutOfRange, "prices[HUGE].marketCap" },
        { "negative market cap", [new("BTC", MarketCap: 1), new("NEG", MarketCap: -5m)], new WeightingRules(WeightingScheme.MarketCap), Rules.NonPositiveMarketCap, "prices[NEG].marketCap" },
        { "market cap above 10^18", [new("BTC", MarketCap: 1), new("HUGE", MarketCap: 50_000_000_000_000_000_000_000_000_000m)], new WeightingRules(WeightingScheme.MarketCap), Rules.MarketCapOutOfRange, "prices[HUGE].marketCap" },
        { "absurd cap", ThreeAssets, new WeightingRules(WeightingScheme.MarketCap, AssetCap: 1_000_000_000_000_000_000_000_000_000m), Rules.CapOutOfRange, "assetCap" },
        { "absurd manual weight", [new("BTC", ManualWeight: 1_000_000_000_000_000_000_000_000_000m)], new WeightingRules(WeightingScheme.Manual), Rules.ManualWeightOutOfRange, "constituents[0].weight" },
        { "per-asset caps infeasible", [new("BTC", Cap: 0.2m), new("ETH", Cap: 0.2m)], new WeightingRules(WeightingScheme.Equal), Rules.CapInfeasible, "assetCap" },
    };

    [Theory]
    [MemberData(nameof(InvalidInputs))]
    public void Invalid_input_returns_an_error_naming_rule_and_field(
        string because, Constituent[] constituents, WeightingRules rules, string expectedRule, string expectedField)
    {
        var result = TargetWeights.Compute(constituents, rules);

        Assert.False(result.IsSuccess, because);
        Assert.Equal(expectedRule, result.Error.Rule);
        Assert.Equal(expectedField, result.Error.Field);
        Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        Assert.Throws<InvalidOperationException>(() => result.Value);
    }

    [Theory]
    [InlineData("0.01")]
    [InlineData("0.010000000000000000000000001")]
    [InlineData("1000000000000000000")]
    [InlineData("999999999999999999.99999999")]
    public void Market_caps_exactly_on_or_just_inside_the_bounds_are_accepted(string marketCap)
    {
        var value = decimal.Parse(marketCap, System.Globalization.CultureInfo.InvariantCulture);

        var result = TargetWeights.Compute([new("BTC", MarketCap: 1_000m), new("EDGE", MarketCap: value)], new WeightingRules(WeightingScheme.MarketCap));

        Assert.True(result.IsSuccess, result.Error?.ToString());
        Assert.Equal(value, result.Value.Weights[1].Base);
    }

    [Fact]
    public void Messages_state_the_numbers_that_broke_the_rule()
    {
        var result = TargetWeights.Compute(
            [new("BTC", ManualWeight: 0.6m), new("ETH", ManualWeight: 0.3m)], new WeightingRules(WeightingScheme.Manual));

        Assert.Equal("constituents: manual weights sum to 90%; they must sum to exactly 100% (ManualWeightsSum)", result.Error!.ToString());
    }
}
