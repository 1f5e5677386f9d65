using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests;

/// <summary>The README's Engine example, run as written, so the numbers it quotes stay true.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_plans_what_the_readme_says()
    {
        var targets = TargetWeights.Compute(
            [new Constituent("BTC", MarketCap: 876_192_941_903m), new Constituent("ETH", MarketCap: 448_573_298_123m),
             new Constituent("SOL", MarketCap: 52_418_019_288m)],
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.5m)).Value;

        var plan = TradePlanner.Plan(new PlanRequest(
            Holdings.CashOnly(100_000m),
            Prices: new Dictionary<string, decimal> { ["BTC"] = 46_311.74m, ["ETH"] = 3_769.70m, ["SOL"] = 170.30m },
            Targets: targets.BySymbol(),
            SymbolRules: new Dictionary<string, SymbolRules> { ["BTC"] = new(StepSize: 0.00001m, MinNotional: 5m) },
            Options: new PlanOptions(FeeRate: 0.001m))).Value;

        Assert.Equal([0.5m, 0.44768570m, 0.05231430m], targets.Weights.Select(w => w.Weight));
        Assert.Equal(
            ["1 Buy 1.07963 BTC @ 46311.74", "2 Buy 11.875897286256 ETH @ 3769.70", "3 Buy 30.718907809747 SOL @ 170.30"],
            plan.Orders.Select(o => FormattableString.Invariant($"{o.Leg} {o.Side} {o.Quantity} {o.Symbol} @ {o.Price}")));

        // After a 0.1 % fee on everything bought, 99,900 is left: ETH (no lot step, so 12 decimal places) lands on its
        // share of it to within one 10^-12 unit of quantity; BTC's lot step leaves less than one step (0.46) in cash.
        var ethAfter = plan.ExpectedHoldings.QuantityOf("ETH") * 3_769.70m;
        Assert.InRange(ethAfter - (0.44768570m * 99_900m), -0.000000000001m * 3_769.70m, 0m);
        Assert.InRange(plan.ExpectedHoldings.Cash, 0m, 0.00001m * 46_311.74m);
    }

    [Fact]
    public void The_readme_universe_example_gives_the_weights_the_readme_says()
    {
        var universe = IndexUniverse.Create(
            [new Constituent("BTC"), new Constituent("ETH"), new Constituent("SOL")],
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: 0.5m)).Value;
        var weights = new decimal[universe.Count];
        var error = universe.WeightsInto([876_192_941_903m, 448_573_298_123m, 52_418_019_288m], weights);

        Assert.Null(error);
        Assert.Equal([0.5m, 0.44768570m, 0.05231430m], weights);
    }
}
