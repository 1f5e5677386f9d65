using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Tests.Decisions;

public sealed class RebalanceDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly Dictionary<string, decimal> Prices = new(StringComparer.Ordinal) { ["BTC"] = 100m, ["ETH"] = 10m, ["SOL"] = 1m };
    private static readonly Dictionary<string, decimal> Targets = new(StringComparer.Ordinal) { ["BTC"] = 0.5m, ["ETH"] = 0.5m };
    private static readonly RebalancePolicy Policy = new(AssetThreshold: 0.05m, TotalThreshold: 0.08m, MaxInterval: TimeSpan.FromDays(30), MinInterval: TimeSpan.FromHours(1));
    private static readonly RebalanceHistory YesterdayWithBtcEth = new(Now.AddDays(-1), ["BTC", "ETH"]);

    private static PortfolioValuation Value(decimal btc, decimal eth, decimal cash = 0m) =>
        Valuation.Evaluate(Holdings.Of(cash, ("BTC", btc), ("ETH", eth)), Prices, Targets).Value;

    private static RebalanceDecision Decide(PortfolioValuation valuation, RebalanceHistory history, RebalancePolicy? policy = null) =>
        RebalanceDecider.Decide(valuation, policy ?? Policy, history, Now).Value;

    [Fact]
    public void Within_thresholds_nothing_happens()
    {
        var decision = Decide(Value(btc: 5.2m, eth: 48m), YesterdayWithBtcEth); // 52 % / 48 %

        Assert.False(decision.ShouldRebalance);
        Assert.Empty(decision.Reasons);
        Assert.Equal("within thresholds", decision.Summary);
    }

    [Fact]
    public void Drift_exactly_at_the_threshold_does_not_fire()
    {
        var decision = Decide(Value(btc: 5.5m, eth: 45m), YesterdayWithBtcEth, Policy with { TotalThreshold = null }); // exactly ±5pp

        Assert.False(decision.ShouldRebalance);
    }

    [Fact]
    public void Asset_drift_beyond_the_threshold_fires_with_the_numbers()
    {
        var decision = Decide(Value(btc: 5.62m, eth: 43.8m), YesterdayWithBtcEth, Policy with { TotalThreshold = null }); // 56.2 % / 43.8 %

        Assert.True(decision.ShouldRebalance);
        Assert.Equal(
            ["BTC drift +6.2pp exceeds threshold 5pp", "ETH drift -6.2pp exceeds threshold 5pp"],
            decision.Reasons.Select(r => r.Message));
        Assert.Equal(0.062m, decision.Reasons[0].Value);
        Assert.Equal(0.05m, decision.Reasons[0].Threshold);
        Assert.Equal("BTC", decision.Reasons[0].Symbol);
    }

    [Fact]
    public void Total_drift_fires_on_its_own_threshold()
    {
        // NAV 100: BTC 46.5 %, ETH 45 %, cash 8.5 % → drift −3.5pp, −5pp, +8.5pp; total ½·17 % = 8.5 %.
        var decision = Decide(Value(btc: 0.465m, eth: 4.5m, cash: 8.5m), YesterdayWithBtcEth, Policy with { AssetThreshold = 0.1m });

        var reason = Assert.Single(decision.Reasons);
        Assert.Equal(ReasonKind.TotalDrift, reason.Kind);
        Assert.Equal(0.085m, reason.Value);
        Assert.Equal("total drift 8.5% exceeds totalThreshold 8%", reason.Message);
    }

    [Fact]
    public void First_funding_fires_for_a_fund_holding_only_cash()
    {
        var valuation = Valuation.Evaluate(Holdings.CashOnly(10_000m), Prices, Targets).Value;
        var decision = Decide(valuation, RebalanceHistory.None);

        Assert.True(decision.ShouldRebalance);
        Assert.Equal("first funding: 10000 in cash to invest", Assert.Single(decision.Reasons).Message);
    }

    [Fact]
    public void An_empty_fund_is_held_back()
    {
        var decision = Decide(Valuation.Evaluate(Holdings.CashOnly(0m), Prices, Targets).Value, RebalanceHistory.None);

        Assert.False(decision.ShouldRebalance);
        Assert.Equal(ReasonKind.EmptyFund, decision.HeldBackBy?.Kind);
    }

    [Fact]
    public void Max_interval_forces_a_rebalance_even_on_target()
    {
        var decision = Decide(Value(btc: 5m, eth: 50m), new RebalanceHistory(Now.AddDays(-30), ["BTC", "ETH"]));

        Assert.True(decision.ShouldRebalance);
        var reason = Assert.Single(decision.Reasons);
        Assert.Equal(ReasonKind.MaxIntervalElapsed, reason.Kind);
        Assert.Equal("720h since the last rebalance reached maxInterval 720h", reason.Message);
    }

    [Fact]
    public void Min_interval_holds_back_a_drift_rebalance_and_says_so()
    {
        var decision = Decide(Value(btc: 7m, eth: 30m), new RebalanceHistory(Now.AddMinutes(-20), ["BTC", "ETH"]));

        Assert.False(decision.ShouldRebalance);
        Assert.NotEmpty(decision.Reasons);
        Assert.Equal(ReasonKind.MinIntervalNotElapsed, decision.HeldBackBy?.Kind);
        Assert.EndsWith("held back: only 20m since the last rebalance, minInterval is 1h", decision.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_constituent_change_rebalances_even_inside_the_min_interval()
    {
        var valuation = Valuation.Evaluate(Holdings.Of(0m, ("BTC", 5m), ("SOL", 500m)), Prices, Targets).Value;
        var decision = Decide(valuation, new RebalanceHistory(Now.AddMinutes(-5), ["BTC", "SOL"]));

        Assert.True(decision.ShouldRebalance);
        Assert.Null(decision.HeldBackBy);
        Assert.Equal("constituents changed: added ETH; removed SOL", decision.Reasons[0].Message);
    }

    [Fact]
    public void Every_threshold_and_interval_is_exact_at_its_boundary()
    {
        // Total drift exactly at totalThreshold does not fire (NAV 100: BTC 46.5, ETH 45, cash 8.5 → 8.5 %).
        var onTotal = Value(btc: 0.465m, eth: 4.5m, cash: 8.5m);
        Assert.Equal(0.085m, onTotal.TotalDrift);
        Assert.Empty(Decide(onTotal, YesterdayWithBtcEth, Policy with { AssetThreshold = 0.1m, TotalThreshold = 0.085m }).Reasons);

        // With a 10 % buffer the targets are 45 % each: BTC at 50 % is exactly 5pp over, and does not fire.
        var buffered = Valuation.Evaluate(Holdings.Of(10m, ("BTC", 0.5m), ("ETH", 4m)), Prices, Targets, 0.1m).Value;
        Assert.Equal(0.05m, buffered.Find("BTC")!.Drift);
        Assert.Empty(Decide(buffered, YesterdayWithBtcEth, Policy with { TotalThreshold = null }).Reasons);

        // maxInterval fires once reached, not a tick before; minInterval holds back until reached, not once reached.
        var onTarget = Value(btc: 5m, eth: 50m);
        var drifted = Value(btc: 7m, eth: 30m);
        Assert.Empty(Decide(onTarget, new RebalanceHistory(Now.AddDays(-30).AddTicks(1), ["BTC", "ETH"])).Reasons);
        Assert.Equal(2_592_000m, Assert.Single(Decide(onTarget, new RebalanceHistory(Now.AddDays(-30), ["BTC", "ETH"])).Reasons).Value);
        var held = Decide(drifted, new RebalanceHistory(Now.AddHours(-1).AddTicks(1), ["BTC", "ETH"]));
        Assert.Equal((false, ReasonKind.MinIntervalNotElapsed, 3600m), (held.ShouldRebalance, held.HeldBackBy?.Kind, held.HeldBackBy?.Threshold));
        Assert.True(Decide(drifted, new RebalanceHistory(Now.AddHours(-1), ["BTC", "ETH"])).ShouldRebalance);
    }

    public static TheoryData<RebalancePolicy, string, string> InvalidPolicies => new()
    {
        { new RebalancePolicy(-0.01m), Rules.ThresholdOutOfRange, "rebalance.threshold" },
        { new RebalancePolicy(0.05m, TotalThreshold: 1.5m), Rules.ThresholdOutOfRange, "rebalance.totalThreshold" },
        { new RebalancePolicy(0.05m, MaxInterval: TimeSpan.Zero), Rules.IntervalOutOfRange, "rebalance.maxInterval" },
        { new RebalancePolicy(0.05m, MinInterval: TimeSpan.FromHours(-1)), Rules.IntervalOutOfRange, "rebalance.minInterval" },
        { new RebalancePolicy(0.05m, MaxInterval: TimeSpan.FromHours(1), MinInterval: TimeSpan.FromHours(2)), Rules.MinIntervalAboveMaxInterval, "rebalance.minInterval" },
    };

    [Fact]
    public void Every_problem_of_a_policy_is_reported_and_the_intervals_order_only_when_both_are_valid()
    {
        var errors = PolicyValidation.CheckAll(new RebalancePolicy(1.5m, TotalThreshold: -0.1m, MaxInterval: TimeSpan.Zero, MinInterval: TimeSpan.FromHours(2)));

        Assert.Equal(["rebalance.threshold", "rebalance.totalThreshold", "rebalance.maxInterval"], errors.Select(e => e.Field));
        Assert.Equal(Rules.ThresholdOutOfRange, PolicyValidation.Check(new RebalancePolicy(1.5m, MaxInterval: TimeSpan.Zero))?.Rule);
        Assert.Empty(PolicyValidation.CheckAll(new RebalancePolicy(0.05m, MaxInterval: TimeSpan.FromHours(2), MinInterval: TimeSpan.FromHours(2))));
    }

    [Theory]
    [MemberData(nameof(InvalidPolicies))]
    public void An_invalid_policy_is_an_error_naming_the_field(RebalancePolicy policy, string rule, string field)
    {
        var result = RebalanceDecider.Decide(Value(5m, 50m), policy, RebalanceHistory.None, Now);

        Assert.Equal(rule, result.Error?.Rule);
        Assert.Equal(field, result.Error?.Field);
    }
}
