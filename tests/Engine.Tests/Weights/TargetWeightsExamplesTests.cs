using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>Exact oracles: the reference file's worked examples and hand-solved cases.</summary>
public sealed class TargetWeightsExamplesTests
{
    private static TargetAllocation Solve(WeightingRules rules, params Constituent[] constituents)
    {
        var result = TargetWeights.Compute(constituents, rules);
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Value;
    }

    private static Constituent[] MarketCaps(params decimal[] caps) =>
        caps.Select((cap, i) => new Constituent(((char)('A' + i)).ToString(), MarketCap: cap)).ToArray();

    [Fact]
    public void Worked_example_a_caps_three_assets_and_spreads_the_rest_pro_rata()
    {
        var allocation = Solve(new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.25m), MarketCaps(60, 20, 10, 5, 3, 2));

        Assert.Equal([0.25m, 0.25m, 0.25m, 0.125m, 0.075m, 0.05m], allocation.Weights.Select(w => w.Weight));
        // The third asset lands exactly on the cap by redistribution: not over it, so it stays free (reference 2.4).
        Assert.Equal([WeightBound.Cap, WeightBound.Cap, WeightBound.Free, WeightBound.Free, WeightBound.Free, WeightBound.Free], allocation.Weights.Select(w => w.Bound));
    }

    [Fact]
    public void Worked_example_b_ties_at_the_cap_are_capped_together()
    {
        var allocation = Solve(new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.30m), MarketCaps(40, 40, 10, 5, 5));

        Assert.Equal([0.3m, 0.3m, 0.2m, 0.1m, 0.1m], allocation.Weights.Select(w => w.Weight));
    }

    [Fact]
    public void Worked_example_c_is_infeasible_and_names_the_cap()
    {
        var result = TargetWeights.Compute(MarketCaps(5, 3, 2), new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.25m));

        Assert.False(result.IsSuccess);
        Assert.Equal(Rules.CapInfeasible, result.Error.Rule);
        Assert.Equal("assetCap", result.Error.Field);
        Assert.Contains("75%", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Floor_and_cap_together_are_solved_exactly_where_a_one_pass_clamp_is_wrong()
    {
        // A one-pass clamp gives 0.4, 0.25, 0.2, 0.1 (sum 0.95) and renormalising pushes the first asset over its cap.
        // Exact: the first asset caps at 0.4, the last floors at 0.1, the middle two share 0.5 as 25:20 → 5/18 and 2/9.
        var allocation = Solve(new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.4m, AssetFloor: 0.1m), MarketCaps(50, 25, 20, 5));

        Assert.Equal([0.4m, 0.27777778m, 0.22222222m, 0.1m], allocation.Weights.Select(w => w.Weight));
        Assert.Equal([WeightBound.Cap, WeightBound.Free, WeightBound.Free, WeightBound.Floor], allocation.Weights.Select(w => w.Bound));
    }

    [Fact]
    public void Cap_times_count_equal_to_one_gives_every_asset_the_cap()
    {
        var allocation = Solve(new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.25m), MarketCaps(97, 1, 1, 1));

        Assert.All(allocation.Weights, w => Assert.Equal(0.25m, w.Weight));
    }

    [Fact]
    public void Floor_times_count_equal_to_one_gives_every_asset_the_floor()
    {
        var allocation = Solve(new WeightingRules(WeightingScheme.MarketCap, AssetFloor: 0.25m), MarketCaps(97, 1, 1, 1));

        Assert.All(allocation.Weights, w => Assert.Equal(0.25m, w.Weight));
    }

    [Fact]
    public void Equal_weights_of_three_round_to_sum_one_with_the_extra_unit_on_the_first_symbol()
    {
        var allocation = Solve(
            new WeightingRules(WeightingScheme.Equal),
            new Constituent("SOL"), new Constituent("BTC"), new Constituent("ETH"));

        Assert.Equal(["SOL", "BTC", "ETH"], allocation.Weights.Select(w => w.Symbol));
        Assert.Equal([0.33333333m, 0.33333334m, 0.33333333m], allocation.Weights.Select(w => w.Weight));
        Assert.Equal(1m, allocation.Weights.Sum(w => w.Weight));
    }

    [Fact]
    public void Square_root_weighting_uses_the_square_root_of_market_cap()
    {
        // √400 : √100 : √25 = 20 : 10 : 5 → 4/7, 2/7, 1/7.
        var allocation = Solve(
            new WeightingRules(WeightingScheme.SqrtMarketCap, Precision: 6),
            new Constituent("A", MarketCap: 400), new Constituent("B", MarketCap: 100), new Constituent("C", MarketCap: 25));

        Assert.Equal([0.571429m, 0.285714m, 0.142857m], allocation.Weights.Select(w => w.Weight));
        Assert.Equal([20m, 10m, 5m], allocation.Weights.Select(w => w.Base));
    }

    [Fact]
    public void Manual_weights_within_the_cap_are_kept_as_given()
    {
        var allocation = Solve(
            new WeightingRules(WeightingScheme.Manual, AssetCap: 0.5m),
            new Constituent("BTC", ManualWeight: 0.5m), new Constituent("ETH", ManualWeight: 0.3m), new Constituent("SOL", ManualWeight: 0.2m));

        Assert.Equal([0.5m, 0.3m, 0.2m], allocation.Weights.Select(w => w.Weight));
    }

    [Fact]
    public void A_per_asset_cap_overrides_the_fund_cap_for_that_asset()
    {
        // ETH may hold at most 10 %; the rest is spread over BTC and SOL in proportion 6:2 → 0.675 and 0.225.
        var allocation = Solve(
            new WeightingRules(WeightingScheme.MarketCap),
            new Constituent("BTC", MarketCap: 60), new Constituent("ETH", MarketCap: 30, Cap: 0.1m), new Constituent("SOL", MarketCap: 20));

        Assert.Equal([0.675m, 0.1m, 0.225m], allocation.Weights.Select(w => w.Weight));
    }

    [Fact]
    public void Results_do_not_depend_on_the_order_constituents_are_listed_in()
    {
        var rules = new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.3m, AssetFloor: 0.05m);
        var forward = Solve(rules, MarketCaps(10, 10, 10, 7, 7, 3, 1, 1));
        var backward = Solve(rules, forward.Weights.Select(w => new Constituent(w.Symbol, MarketCap: w.Base)).Reverse().ToArray());

        Assert.Equal(forward.BySymbol().OrderBy(p => p.Key, StringComparer.Ordinal), backward.BySymbol().OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("40,30,20,10", "Cap,Cap,Cap,Free")] // n·cap = 1: the smallest lands exactly on the cap, the rest are held down
    [InlineData("10,10,10,10", "Free,Free,Free,Free")] // equal weights, each exactly on the cap: none is over it
    [InlineData("40.000,30.0,20,10.00000", "Cap,Cap,Cap,Free")] // trailing zeros change nothing
    public void Assets_exactly_on_the_cap_are_labelled_free_whichever_way_the_search_found_them(string marketCaps, string expected)
    {
        var caps = marketCaps.Split(',').Select(c => decimal.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        var allocation = Solve(new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.25m), MarketCaps(caps));

        Assert.Equal([0.25m, 0.25m, 0.25m, 0.25m], allocation.Weights.Select(w => w.Weight));
        Assert.Equal(expected.Split(',').Select(Enum.Parse<WeightBound>), allocation.Weights.Select(w => w.Bound));
    }

    [Theory]
    [InlineData("4000000000000")]
    [InlineData("4000000000000.000")]
    public void Assets_all_on_the_floor_are_labelled_alike_whichever_way_the_search_found_them(string second)
    {
        // Both weights are 50 %, the floor, for every λ up to 0.5/b_B: labels are taken at the smallest, where both
        // sit below the floor. (B written with trailing zeros once made the search land on B exactly at the floor.)
        var allocation = Solve(
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.51m, AssetFloor: 0.5m, Precision: 4),
            new Constituent("A", MarketCap: 1_000_000_000_000m),
            new Constituent("B", MarketCap: decimal.Parse(second, System.Globalization.CultureInfo.InvariantCulture), Cap: 0.99m));

        Assert.Equal([0.5m, 0.5m], allocation.Weights.Select(w => w.Weight));
        Assert.Equal([WeightBound.Floor, WeightBound.Floor], allocation.Weights.Select(w => w.Bound));
    }

    [Fact]
    public void Near_ties_that_double_precision_cannot_separate_are_still_solved_exactly()
    {
        // A and B differ in the 18th digit: in double they are the same number. Exactly, all free would give A
        // (10^17+2)/(2·10^17+3) > 0.5, so A is capped and B, C share the rest: λ = 0.5/(B+1), B = 0.49999999999999999500…,
        // C = 0.5/(B+1) = 4.99999999999999995·10^-18, which largest remainder rounds up to 5·10^-18.
        var allocation = Solve(
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.5m, Precision: 20),
            new Constituent("A", MarketCap: 100_000_000_000_000_002m), new Constituent("B", MarketCap: 100_000_000_000_000_000m), new Constituent("C", MarketCap: 1m));

        Assert.Equal([WeightBound.Cap, WeightBound.Free, WeightBound.Free], allocation.Weights.Select(w => w.Bound));
        Assert.Equal([0.5m, 0.49999999999999999500m, 0.00000000000000000500m], allocation.Weights.Select(w => w.Weight));
    }

    [Fact]
    public void Numbers_too_large_for_exact_integer_rounding_fall_back_to_decimal_and_stay_within_one_unit()
    {
        // A 10^18 cap next to one written to 28 decimals: at one common scale the integers exceed 128 bits, so the
        // decimal path solves this; the result must still sum to 1 and sit within one unit of the exact weights.
        var caps = new[] { 1_000_000_000_000_000_000m, 600_000_000_000_000_000m, 0.0123456789012345678901234567m };
        var allocation = Solve(new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.6m, Precision: 20), MarketCaps(caps));

        Assert.Equal(1m, allocation.Weights.Sum(w => w.Weight));
        Assert.Equal(0.6m, allocation.Weights[0].Weight);
        var rest = caps[1] + caps[2];
        Assert.InRange(allocation.Weights[1].Weight - (0.4m * (caps[1] / rest)), -0.00000000000000000001m, 0.00000000000000000001m);
    }
}
