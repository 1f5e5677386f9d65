using CsCheck;
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
        { "null constituent", [new("BTC"), null!], new WeightingRules(WeightingScheme.Equal), Rules.InvalidSymbol, "constituents[1]" },
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

    [Fact]
    public void The_market_cap_range_check_agrees_with_decimal_comparison_at_every_scale()
    {
        // Values on, one unit of their scale inside, and one unit outside each bound, at every scale decimal has,
        // plus random values across the whole decimal range.
        var edges =
            from bound in Gen.OneOf(Limits.MinMarketCap, Limits.MaxMarketCap)
            from scale in Gen.Int[0, 28]
            from step in Gen.Int[-1, 1]
            select Edge(bound, scale, step);
        var anywhere =
            from mantissa in Gen.Decimal[0m, decimal.MaxValue]
            from scale in Gen.Int[0, 28]
            from negative in Gen.Bool
            select new decimal(decimal.GetBits(mantissa)[0], decimal.GetBits(mantissa)[1], decimal.GetBits(mantissa)[2], negative, (byte)scale);
        Gen.OneOf(edges, anywhere).Sample(value =>
        {
            var expected = value is >= Limits.MinMarketCap and <= Limits.MaxMarketCap;
            Assert.Equal(expected, MarketCapRange.Contains(DecimalParts.Of(value, new int[4])));
        }, iter: 5000);
    }

    // bound ± one unit at the given scale, when decimal can hold it (else the bound itself).
    private static decimal Edge(decimal bound, int scale, int step)
    {
        var unit = step * DecimalMath.Unit(scale);
        var scaled = decimal.Round(bound, scale) + unit;
        return scaled * 1.000m == scaled ? scaled : bound;
    }

    [Fact]
    public void The_first_repeated_symbol_is_reported_before_any_later_problem()
    {
        var result = TargetWeights.Compute(
            [new("BTC", MarketCap: 5m), new("ETH", MarketCap: 4m), new("BTC", MarketCap: 3m), new("ETH", MarketCap: 2m), new("BAD", MarketCap: -1m)],
            new WeightingRules(WeightingScheme.MarketCap));

        Assert.Equal((Rules.DuplicateSymbol, "constituents[2].symbol"), (result.Error!.Rule, result.Error.Field));
    }

    [Fact]
    public void A_problem_before_the_first_repeated_symbol_is_reported_first()
    {
        var result = TargetWeights.Compute(
            [new("BTC", MarketCap: 5m), new("BAD", MarketCap: -1m), new("BTC", MarketCap: 3m)],
            new WeightingRules(WeightingScheme.MarketCap));

        Assert.Equal((Rules.NonPositiveMarketCap, "prices[BAD].marketCap"), (result.Error!.Rule, result.Error.Field));
    }

    [Fact]
    public void Symbols_crafted_to_collide_in_the_duplicate_check_are_still_checked_exactly()
    {
        // 70 distinct symbols whose hashes' top 8 bits are 0, so they crowd the first slots of the table (256 or 512
        // slots here), then a repeat: the probe sequence outgrows its limit and the check moves to a hash set.
        var colliding = Enumerable.Range(0, 1_000_000).Select(i => $"C{i}").Where(s => SymbolSet.Hash(s) >> 56 == 0).Take(70).ToList();
        var symbols = colliding.Concat(Enumerable.Range(0, 58).Select(i => $"F{i}")).Append(colliding[40]).Select(s => new Constituent(s)).ToArray();

        Assert.Equal(70, colliding.Count);
        Assert.Equal(-1, SymbolSet.FirstDuplicate(EveryFourLetterSymbol().Select(s => new Constituent(s)).ToArray(), out var longestRegular));
        Assert.InRange(longestRegular, 1, 32); // regular symbols do not cluster: the table, not the set, settles them
        Assert.Equal(symbols.Length - 1, SymbolSet.FirstDuplicate(symbols, out var longestCrafted));
        Assert.Equal(SymbolSet.MaxProbes, longestCrafted); // the crafted ones outgrew the probe limit: the set settled them
        Assert.Equal(-1, SymbolSet.FirstDuplicate(symbols.AsSpan(0, symbols.Length - 1)));
    }

    private static IEnumerable<string> EveryFourLetterSymbol() =>
        from a in Letters from b in Letters from c in Letters from d in Letters select string.Concat(a, b, c, d);

    private static readonly char[] Letters = [.. Enumerable.Range('A', 26).Select(c => (char)c)];

    [Fact]
    public void Any_list_of_constituents_gives_the_weights_an_array_gives()
    {
        var constituents = Enumerable.Range(1, 40).Select(i => new Constituent($"A{i}", MarketCap: i * 1_000m)).ToArray();
        var rules = new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.05m);

        var fromArray = TargetWeights.Compute(constituents, rules).Value.Weights;
        var fromList = TargetWeights.Compute(constituents.ToList(), rules).Value.Weights;
        var fromReadOnly = TargetWeights.Compute(constituents.AsReadOnly(), rules).Value.Weights;

        Assert.Equal(fromArray, fromList);
        Assert.Equal(fromArray, fromReadOnly);
    }
}
