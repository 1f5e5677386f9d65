using CryptoIndex.Engine.Backtesting;
using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Backtesting;

/// <summary>A three-day history small enough to replay by hand.</summary>
public sealed class BacktesterTests
{
    // Day 1: A = 1, B = 1. Day 2: A doubles. Day 3: A falls back to 1.
    private static readonly MarketDay[] Days =
    [
        Day(1, a: 1m, b: 1m),
        Day(2, a: 2m, b: 1m),
        Day(3, a: 1m, b: 1m),
    ];

    private static readonly BacktestSpec EqualWeight = new(
        [new Constituent("A"), new Constituent("B")],
        new WeightingRules(WeightingScheme.Equal),
        new RebalancePolicy(AssetThreshold: 0.1m),
        new PlanOptions(),
        Capital: 1_000m);

    private static MarketDay Day(int day, decimal a, decimal b) => new(
        new DateOnly(2022, 1, day),
        new Dictionary<string, AssetClose>(StringComparer.Ordinal) { ["A"] = new(a, a * 100m), ["B"] = new(b, b * 100m) });

    [Fact]
    public void The_fund_rules_rebalance_whenever_drift_passes_the_threshold()
    {
        // Day 1: buy 500 A and 500 B. Day 2: 1000/500 (66.7 %, drift 16.7pp > 10pp): sell 125 A (250), buy 250 B.
        // Day 3: 375/750: buy 187.5 A, sell 187.5 B. Turnover 1000 + 500 + 375; NAV 1000, 1500, 1125.
        var result = Backtester.Run(EqualWeight, Days, BacktestStrategy.FundRules).Value;

        Assert.Equal((3, 1_875m, 0m, 1_125m, 0.125m), (result.Rebalances, result.Turnover, result.Fees, result.FinalValue, result.Return));
        Assert.Equal([1_000m, 1_500m, 1_125m], result.Series.Select(p => p.Nav));
        Assert.Equal(0.25m, result.MaxDrawdown); // from the 1500 peak to 1125

        // Daily returns +50 % and −25 %: sample standard deviation 0.375·√2, times √365.
        Assert.InRange(result.Volatility - (0.53033008588991064330m * 19.104973174542800m), -0.000000000001m, 0.000000000001m);
    }

    [Fact]
    public void Buy_and_hold_invests_once_and_rides_the_market()
    {
        var result = Backtester.Run(EqualWeight, Days, BacktestStrategy.BuyAndHold).Value;

        Assert.Equal((1, 1_000m, 1_000m, 0m), (result.Rebalances, result.Turnover, result.FinalValue, result.Return));
        Assert.Equal(1m / 3m, result.MaxDrawdown);
        Assert.Equal([true, false, false], result.Series.Select(p => p.Rebalanced));
    }

    [Fact]
    public void Fees_are_charged_on_every_trade_and_conserve_value()
    {
        var withFees = EqualWeight with { Planning = new PlanOptions(FeeRate: 0.001m) };

        var result = Backtester.Run(withFees, Days, BacktestStrategy.Daily).Value;

        Assert.True(result.Fees > 0m);
        Assert.True(result.FinalValue < 1_125m);
        Assert.InRange(result.Fees, result.Turnover * 0.0009m, result.Turnover * 0.0011m);
    }

    [Fact]
    public void A_day_without_a_market_cap_is_an_error_naming_the_day()
    {
        var days = Days.Append(new MarketDay(new DateOnly(2022, 1, 4), new Dictionary<string, AssetClose>(StringComparer.Ordinal)
        {
            ["A"] = new(1m, null), ["B"] = new(1m, 100m),
        })).ToArray();

        var result = Backtester.Run(EqualWeight with { Weighting = new WeightingRules(WeightingScheme.MarketCap) }, days, BacktestStrategy.FundRules);

        Assert.Equal(Rules.MissingMarketCap, result.Error?.Rule);
        Assert.StartsWith("on 2022-01-04: ", result.Error!.Message, StringComparison.Ordinal);
    }
}
