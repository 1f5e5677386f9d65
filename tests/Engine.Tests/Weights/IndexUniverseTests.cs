using CsCheck;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>
/// The universe checks the constituents once and the market caps per computation; it must give exactly what
/// <see cref="TargetWeights.Compute"/> gives, weights and errors alike.
/// </summary>
public sealed class IndexUniverseTests
{
    /// <summary>
    /// Random funds whose symbols are shuffled (ordinal order is not input order) and whose market caps often tie,
    /// so that the rounding's last tie-break, by symbol, decides: the universe settles it by precomputed ranks.
    /// </summary>
    private static readonly Gen<TargetWeightsProperties.Case> TieHeavyCases =
        from c in TargetWeightsProperties.Cases
        from names in Gen.Shuffle(Enumerable.Range(0, c.Constituents.Length).Select(i => $"S{i:D2}").ToArray())
        from picks in Gen.Int[0, 2].Array[c.Constituents.Length]
        select c with
        {
            Constituents = c.Constituents
                .Select((k, i) => k with { Symbol = names[i], MarketCap = c.Constituents[picks[i] % c.Constituents.Length].MarketCap })
                .ToArray(),
        };

    [Theory]
    [MemberData(nameof(TargetWeightsValidationTests.InvalidInputs), MemberType = typeof(TargetWeightsValidationTests))]
    public void Every_invalid_input_gives_the_error_TargetWeights_gives(
        string because, Constituent[] constituents, WeightingRules rules, string expectedRule, string expectedField)
    {
        var error = Error(constituents, rules);

        Assert.NotNull(error);
        Assert.Equal((expectedRule, expectedField), (error.Rule, error.Field));
        Assert.Equal(TargetWeights.Compute(constituents, rules).Error, error);
        _ = because;
    }

    [Fact]
    public void Weights_bases_and_bounds_are_exactly_those_of_TargetWeights()
    {
        Gen.OneOf(TargetWeightsProperties.Cases, TieHeavyCases).Sample(c =>
        {
            var expected = c.Solve();
            var universe = IndexUniverse.Create(c.Constituents, c.Rules).Value;

            Assert.Equal(Written(expected.Weights), Written(universe.Compute(MarketCaps(c.Constituents)).Value.Weights));
            var weights = new decimal[c.Constituents.Length];
            Assert.Null(universe.WeightsInto(c.Constituents.Select(k => k.MarketCap!.Value).ToArray(), weights));
            Assert.Equal(expected.Weights.Select(w => Written(w.Weight)), weights.Select(Written));
        }, iter: 3000);
    }

    [Fact]
    public void At_every_precision_and_scale_of_market_caps_the_weights_are_those_of_TargetWeights()
    {
        // Mixed scales send the bases through rescaling; market caps up to 10^18 at 20 places through the wide and
        // decimal paths of the rounding; an asset's own cap equal to the fund's, written longer, must not show.
        var scales = new[] { 1m, 1.0m, 1.00000m, 1.0000000000m };
        var gen =
            from c in TargetWeightsProperties.Cases
            from magnitude in Gen.Int[0, 5]
            from precision in Gen.Int[3, WeightingRules.MaxPrecision]
            from picks in Gen.Int[0, scales.Length - 1].Array[c.Constituents.Length]
            from longerCap in Gen.Int[0, c.Constituents.Length]
            select new TargetWeightsProperties.Case(
                c.Constituents.Select((k, i) => k with
                {
                    MarketCap = k.MarketCap * DecimalMath.PowerOfTen(magnitude) * scales[picks[i]],

                    // Sometimes the fund's cap again as an asset's own, written longer (0.50 for 0.5).
                    Cap = i == longerCap && k.Cap is null ? c.Rules.AssetCap * 1.00m : k.Cap,
                }).ToArray(),
                c.Rules with { Precision = precision });
        gen.Sample(c =>
        {
            var expected = TargetWeights.Compute(c.Constituents, c.Rules);
            var actual = IndexUniverse.Create(c.Constituents, c.Rules).Value.Compute(MarketCaps(c.Constituents));

            Assert.True(expected.IsSuccess, expected.Error?.ToString());
            Assert.Equal(Written(expected.Value.Weights), Written(actual.Value.Weights));
        }, iter: 2000);
    }

    [Fact]
    public void Bad_market_caps_anywhere_give_the_first_error_in_constituent_order_as_TargetWeights_does()
    {
        decimal?[] bad = [null, 0m, -1m, 0.001m, 2_000_000_000_000_000_000m];
        var gen =
            from c in TargetWeightsProperties.Cases
            from spoiled in Gen.Int[0, bad.Length].Array[c.Constituents.Length]
            select c with
            {
                Constituents = c.Constituents.Select((k, i) => spoiled[i] < bad.Length && i % 3 == 0 ? k with { MarketCap = bad[spoiled[i]] } : k).ToArray(),
            };
        gen.Sample(c =>
        {
            var expected = TargetWeights.Compute(c.Constituents, c.Rules);
            var universe = IndexUniverse.Create(c.Constituents, c.Rules).Value;

            Assert.Equal(expected.Error, universe.Compute(MarketCaps(c.Constituents)).Error);
            if (c.Constituents.All(k => k.MarketCap is not null))
            {
                Assert.Equal(expected.Error, universe.WeightsInto(c.Constituents.Select(k => k.MarketCap!.Value).ToArray(), new decimal[c.Constituents.Length]));
            }
        }, iter: 2000);
    }

    [Fact]
    public void An_own_cap_equal_to_the_fund_cap_but_written_longer_gives_weights_written_alike()
    {
        // Market caps of mixed scales beyond 128 bits take the decimal path, where a capped weight is its cap: 0.50
        // (A's own) and 0.5 (the fund's) are equal, but a weight must be written the same way by both paths.
        Constituent[] constituents =
        [
            new("A", MarketCap: 1_000_000_000_000_000_000m, Cap: 0.50m), new("B", MarketCap: 1.0000000000000000000000000000m), new("C", MarketCap: 1m),
        ];
        var rules = new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.5m);
        var expected = TargetWeights.Compute(constituents, rules).Value.Weights;
        var universe = IndexUniverse.Create(constituents, rules).Value;
        var weights = new decimal[3];
        Assert.Null(universe.WeightsInto([.. constituents.Select(k => k.MarketCap!.Value)], weights));

        Assert.Equal("0.5", expected[0].Weight.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected.Select(w => decimal.GetBits(w.Weight)), weights.Select(decimal.GetBits));
        Assert.Equal(expected.Select(w => decimal.GetBits(w.Weight)), universe.Compute(MarketCaps(constituents)).Value.Weights.Select(w => decimal.GetBits(w.Weight)));
    }

    [Fact]
    public void A_constituent_problem_comes_before_a_market_cap_problem_even_one_listed_earlier()
    {
        // TargetWeights meets the missing market cap of BTC first; the universe checked the constituents before any
        // market cap, so ETH's cap below the floor is its first problem, and so is a cap sum below 100 %.
        Constituent[] constituents = [new("BTC"), new("ETH", MarketCap: 5m, Cap: 0.01m), new("SOL", MarketCap: 5m)];
        var floored = new WeightingRules(WeightingScheme.MarketCap, AssetFloor: 0.1m);
        var tightlyCapped = new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.3m);

        Assert.Equal(Rules.MissingMarketCap, TargetWeights.Compute(constituents, floored).Error?.Rule);
        Assert.Equal((Rules.FloorAboveCap, "constituents[1].cap"), (Error(constituents, floored)?.Rule, Error(constituents, floored)?.Field));
        Assert.Equal(Rules.MissingMarketCap, TargetWeights.Compute(constituents, tightlyCapped).Error?.Rule);
        Assert.Equal(Rules.CapInfeasible, Error(constituents, tightlyCapped)?.Rule);
    }

    [Fact]
    public void Creating_a_universe_does_not_read_market_caps_and_weights_follow_the_caps_given_each_time()
    {
        var rules = new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.5m);
        var universe = IndexUniverse.Create([new("BTC", MarketCap: -5m), new("ETH"), new("SOL")], rules).Value;

        Assert.Equal(["BTC", "ETH", "SOL"], universe.Symbols);
        Assert.True(universe.NeedsMarketCaps);
        var weights = new decimal[3];
        Assert.Null(universe.WeightsInto([600m, 300m, 100m], weights));
        Assert.Equal([0.5m, 0.375m, 0.125m], weights);
        Assert.Null(universe.WeightsInto([100m, 100m, 200m], weights));
        Assert.Equal([0.25m, 0.25m, 0.5m], weights);
    }

    [Theory]
    [InlineData(WeightingScheme.Equal)]
    [InlineData(WeightingScheme.Manual)]
    public void Equal_and_manual_weights_need_no_market_caps(WeightingScheme scheme)
    {
        Constituent[] constituents = scheme == WeightingScheme.Manual
            ? [new("BTC", ManualWeight: 0.7m), new("ETH", ManualWeight: 0.2m), new("SOL", ManualWeight: 0.1m)]
            : [new("BTC"), new("ETH"), new("SOL")];
        var rules = new WeightingRules(scheme, AssetCap: 0.6m);
        var universe = IndexUniverse.Create(constituents, rules).Value;
        var expected = TargetWeights.Compute(constituents, rules).Value.Weights;

        Assert.False(universe.NeedsMarketCaps);
        var weights = new decimal[3];
        Assert.Null(universe.WeightsInto([], weights));
        Assert.Equal(expected.Select(w => w.Weight), weights);
        Assert.Equal(expected, universe.Compute([]).Value.Weights);
    }

    [Fact]
    public void Market_caps_must_be_one_per_constituent_and_the_buffer_large_enough()
    {
        var universe = IndexUniverse.Create([new("BTC"), new("ETH")], new WeightingRules(WeightingScheme.MarketCap)).Value;

        var tooFew = Assert.Throws<ArgumentException>(() => universe.WeightsInto([1m], new decimal[2]));
        Assert.Equal("marketCaps", tooFew.ParamName);
        Assert.Throws<ArgumentException>(() => universe.Compute([1m, 2m, 3m]));
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => universe.WeightsInto([1m, 2m], new decimal[1])).ParamName);
    }

    [Fact]
    public void Null_arguments_and_misuse_throw_argument_exceptions_that_say_what_was_wrong()
    {
        var rules = new WeightingRules(WeightingScheme.MarketCap);
        Assert.Equal("constituents", Assert.Throws<ArgumentNullException>(() => IndexUniverse.Create(null!, rules)).ParamName);
        Assert.Equal("rules", Assert.Throws<ArgumentNullException>(() => IndexUniverse.Create([new("BTC")], null!)).ParamName);
        var universe = IndexUniverse.Create([new("BTC"), new("ETH")], rules).Value;
        Assert.Equal("marketCaps", Assert.Throws<ArgumentNullException>(() => universe.Compute(null!)).ParamName);

        Assert.StartsWith("1 market caps given for 2 constituents", Assert.Throws<ArgumentException>(() => universe.WeightsInto([1m], new decimal[2])).Message, StringComparison.Ordinal);
        Assert.StartsWith("the destination holds 1 weights, not the 2", Assert.Throws<ArgumentException>(() => universe.WeightsInto([1m, 2m], new decimal[1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_repeated_symbol_listed_before_another_problem_is_the_one_reported()
    {
        var rules = new WeightingRules(WeightingScheme.Equal);
        Constituent[] constituents = [new("BTC"), new("BTC"), new("ETH", Cap: 2m)];

        Assert.Equal((Rules.DuplicateSymbol, "constituents[1].symbol"), (Error(constituents, rules)?.Rule, Error(constituents, rules)?.Field));
        Assert.Equal(TargetWeights.Compute(constituents, rules).Error, Error(constituents, rules));
        Assert.Equal(Rules.CapOutOfRange, Error([new("BTC"), new("SOL"), new("ETH", Cap: 2m)], rules)?.Rule);
    }

    [Fact]
    public void Later_changes_to_the_list_it_was_created_from_do_not_change_the_universe()
    {
        var constituents = new List<Constituent> { new("BTC"), new("ETH") };
        var universe = IndexUniverse.Create(constituents, new WeightingRules(WeightingScheme.MarketCap)).Value;
        constituents[1] = new Constituent("BTC");
        constituents.Add(new Constituent("SOL"));

        Assert.Equal(["BTC", "ETH"], universe.Symbols);
        Assert.Equal([0.75m, 0.25m], universe.Compute([3m, 1m]).Value.Weights.Select(w => w.Weight));
    }

    [Theory]
    [InlineData(WeightingScheme.MarketCap)]
    [InlineData(WeightingScheme.SqrtMarketCap)]
    public void Weights_into_a_buffer_allocate_nothing(WeightingScheme scheme)
    {
        var random = new Random(5);
        var constituents = Enumerable.Range(0, 1_000).Select(i => new Constituent($"A{i:D4}")).ToArray();
        var marketCaps = constituents.Select(_ => decimal.Round((decimal)(random.NextDouble() * 1e9) + 1m, 2)).ToArray();
        var universe = IndexUniverse.Create(constituents, new WeightingRules(scheme, AssetCap: 0.01m)).Value;
        var weights = new decimal[constituents.Length];

        // The shared array pool may have trimmed its buffers after a collection (another test's): the first rental
        // afterwards allocates. Some round of ten calls must allocate nothing at all.
        var fewest = long.MaxValue;
        for (var round = 0; round < 5 && fewest > 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var call = 0; call < 10; call++)
            {
                Assert.Null(universe.WeightsInto(marketCaps, weights));
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.Equal(1m, weights.Sum());
    }

    private static EngineError? Error(Constituent[] constituents, WeightingRules rules)
    {
        var universe = IndexUniverse.Create(constituents, rules);
        return universe.IsSuccess ? universe.Value.Compute(MarketCaps(constituents)).Error : universe.Error;
    }

    // Equal decimals can be written differently (0.5, 0.50): compare what a status or a log would show.
    private static string Written(decimal value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Written(IReadOnlyList<TargetWeight> weights) =>
        [.. weights.Select(w => $"{w.Symbol} {Written(w.Weight)} {Written(w.Base)} {w.Bound}")];

    private static decimal?[] MarketCaps(Constituent[] constituents) => [.. constituents.Select(k => k.MarketCap)];
}
