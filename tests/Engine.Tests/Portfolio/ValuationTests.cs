using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Tests.Portfolio;

public sealed class ValuationTests
{
    private static readonly Dictionary<string, decimal> Prices = new(StringComparer.Ordinal)
    {
        ["BTC"] = 50_000m, ["ETH"] = 2_500m, ["DOGE"] = 0.1m,
    };

    private static readonly Dictionary<string, decimal> Targets = new(StringComparer.Ordinal) { ["BTC"] = 0.6m, ["ETH"] = 0.4m };

    [Fact]
    public void Values_holdings_and_measures_drift_exactly()
    {
        // BTC 1 × 50,000 = 50,000; ETH 8 × 2,500 = 20,000; cash 10,000 → NAV 80,000.
        var valuation = Valuation.Evaluate(Holdings.Of(10_000m, ("BTC", 1m), ("ETH", 8m)), Prices, Targets).Value;

        Assert.Equal(80_000m, valuation.Nav);
        var btc = valuation.Find("BTC")!;
        Assert.Equal(0.625m, btc.CurrentWeight);
        Assert.Equal(0.025m, btc.Drift);
        Assert.Equal(0.025m / 0.6m, btc.RelativeDrift);
        var eth = valuation.Find("ETH")!;
        Assert.Equal(0.25m, eth.CurrentWeight);
        Assert.Equal(-0.15m, eth.Drift);
        Assert.Equal(0.125m, valuation.CashWeight);

        // ½·(|0.025| + |−0.15| + |0.125 − 0|) = 0.15: the one-way turnover to reach target.
        Assert.Equal(0.15m, valuation.TotalDrift);
        Assert.Equal(0.15m, valuation.MaxAbsoluteDrift);
    }

    [Fact]
    public void A_cash_buffer_lowers_asset_targets_and_becomes_the_cash_target()
    {
        var valuation = Valuation.Evaluate(Holdings.Of(5_000m, ("BTC", 1.14m), ("ETH", 15.2m)), Prices, Targets, cashBuffer: 0.05m).Value;

        Assert.Equal(100_000m, valuation.Nav);
        Assert.Equal(0.57m, valuation.Find("BTC")!.TargetWeight);
        Assert.Equal(0.6m, valuation.Find("BTC")!.IndexWeight);
        Assert.Equal(0.38m, valuation.Find("ETH")!.TargetWeight);
        Assert.Equal(0m, valuation.TotalDrift);
    }

    [Fact]
    public void An_asset_held_outside_the_index_has_target_zero_and_counts_as_drift()
    {
        var valuation = Valuation.Evaluate(Holdings.Of(0m, ("BTC", 1.2m), ("ETH", 8m), ("DOGE", 100_000m)), Prices, Targets).Value;

        var doge = valuation.Find("DOGE")!;
        Assert.False(doge.IsConstituent);
        Assert.Equal(0m, doge.TargetWeight);
        Assert.Null(doge.RelativeDrift);
        Assert.Equal(10_000m / 90_000m, doge.CurrentWeight);
        Assert.Equal(["BTC", "DOGE", "ETH"], valuation.Positions.Select(p => p.Symbol));
    }

    [Fact]
    public void All_cash_has_total_drift_one()
    {
        var valuation = Valuation.Evaluate(Holdings.CashOnly(1_000m), Prices, Targets).Value;

        Assert.Equal(1m, valuation.TotalDrift);
        Assert.All(valuation.Positions, p => Assert.Equal(0m, p.CurrentWeight));
    }

    [Theory]
    [InlineData("SOL", "MissingPrice", "prices[SOL]")]
    [InlineData("ZERO", "NonPositivePrice", "prices[ZERO]")]
    public void A_missing_or_bad_price_is_an_error_naming_the_asset(string symbol, string rule, string field)
    {
        var prices = new Dictionary<string, decimal>(Prices, StringComparer.Ordinal) { ["ZERO"] = 0m };
        var result = Valuation.Evaluate(Holdings.Of(0m, (symbol, 1m)), prices, Targets);

        Assert.Equal(rule, result.Error?.Rule);
        Assert.Equal(field, result.Error?.Field);
    }

    [Fact]
    public void Targets_that_do_not_sum_to_one_are_rejected()
    {
        var result = Valuation.Evaluate(Holdings.CashOnly(1m), Prices, new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 0.5m });

        Assert.Equal(Rules.TargetsSum, result.Error?.Rule);
    }

    [Fact]
    public void Negative_holdings_are_rejected()
    {
        Assert.Equal(Rules.NegativeCash, Valuation.Evaluate(Holdings.CashOnly(-1m), Prices, Targets).Error?.Rule);
        Assert.Equal("holdings[BTC]", Valuation.Evaluate(Holdings.Of(0m, ("BTC", -1m)), Prices, Targets).Error?.Field);
    }
}
