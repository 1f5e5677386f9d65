using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Tests.Planning;

/// <summary>Regressions found in review: each input used to throw or to leave the decision and the plan at odds.</summary>
public sealed class PlannerEdgeCaseTests
{
    private static readonly Dictionary<string, SymbolRules> NoRules = new(StringComparer.Ordinal);

    [Theory]
    [InlineData("10000", "67187.33")]
    [InlineData("1", "7")]
    [InlineData("100", "3")]
    [InlineData("9999.99", "0.12345678")]
    public void Buying_with_all_the_cash_and_no_lot_step_never_costs_more_than_the_cash(string cash, string price)
    {
        decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var request = new PlanRequest(
            Holdings.CashOnly(D(cash)),
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = D(price) },
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 1m },
            NoRules,
            new PlanOptions(FeeRate: 0.001m));

        var plan = TradePlanner.Plan(request);

        Assert.True(plan.IsSuccess, plan.Error?.ToString());
        Assert.True(plan.Value.ExpectedHoldings.Cash >= 0m);
        Assert.True(Assert.Single(plan.Value.Orders).Notional <= D(cash));
    }

    [Fact]
    public void A_buy_whose_quantity_rounds_up_to_a_whole_number_is_trimmed_instead_of_throwing()
    {
        // cash / price = 99999999.99999999999999999999667, which decimal rounds up to 100000000: a whole number whose
        // cost exceeds the cash. Trimming its "last digit" used to ask decimal to round to -1 places and throw.
        var cash = 299_999_999.99999999999999999999m;
        var request = new PlanRequest(
            Holdings.CashOnly(cash),
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 3m },
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 1m },
            NoRules,
            new PlanOptions());

        var plan = TradePlanner.Plan(request);

        var buy = Assert.Single(plan.Value.Orders);
        Assert.True(buy.Notional <= cash, $"{buy.Notional} > {cash}");
        Assert.Equal(99_999_999m, buy.Quantity);
    }

    [Fact]
    public void Band_edge_mode_invests_new_cash_that_the_decision_rebalances_for()
    {
        // Ten assets at 6 % each (target 10 %, inside a ±5pp band) and 40 % cash: total drift 40 % fires the decision,
        // so the plan must invest the cash rather than return nothing. To the band edge, cash comes down to its upper
        // edge (0 % buffer + 5 %): the 35 % surplus goes to the ten assets in proportion to what they lack (4 % each).
        var symbols = Enumerable.Range(0, 10).Select(i => $"A{i}").ToArray();
        var holdings = Holdings.Of(40m, [.. symbols.Select(s => (s, 6m))]);
        var prices = symbols.ToDictionary(s => s, _ => 1m, StringComparer.Ordinal);
        var targets = symbols.ToDictionary(s => s, _ => 0.1m, StringComparer.Ordinal);
        var valuation = Valuation.Evaluate(holdings, prices, targets).Value;

        var decision = RebalanceDecider.Decide(valuation, new RebalancePolicy(0.05m, TotalThreshold: 0.2m), RebalanceHistory.None, DateTimeOffset.UnixEpoch).Value;
        var plan = TradePlanner.Plan(new PlanRequest(holdings, prices, targets, NoRules, new PlanOptions(Mode: RebalanceMode.ToBandEdge, BandWidth: 0.05m))).Value;

        Assert.True(decision.ShouldRebalance);
        Assert.Equal(10, plan.Orders.Count);
        Assert.All(plan.Orders, o => Assert.Equal(3.5m, o.Quantity));
        Assert.Equal(5m, plan.ExpectedHoldings.Cash);
        Assert.Equal(0.05m, plan.ResidualDrift);
    }

    [Theory]
    [InlineData("0.00000000000000000001", "100", "prices[X]")]
    [InlineData("10000000000000", "1", "prices[X]")]
    [InlineData("1", "1000000000000000000000", "holdings[X]")]
    public void Magnitudes_beyond_the_limits_are_refused_with_an_error_not_an_overflow(string price, string quantity, string field)
    {
        decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var request = new PlanRequest(
            Holdings.Of(100m, ("X", D(quantity))),
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["X"] = D(price) },
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["X"] = 1m },
            NoRules,
            new PlanOptions());

        var plan = TradePlanner.Plan(request);

        Assert.Equal((Rules.ValueOutOfRange, field), (plan.Error?.Rule, plan.Error?.Field));
    }

    [Fact]
    public void Absurd_option_values_produce_errors_whose_messages_do_not_overflow()
    {
        var absurd = 1_000_000_000_000_000_000_000_000_000m;
        var request = new PlanRequest(Holdings.CashOnly(1m), new Dictionary<string, decimal> { ["X"] = 1m }, new Dictionary<string, decimal> { ["X"] = 1m }, NoRules, new PlanOptions(FeeRate: absurd));
        var policy = RebalanceDecider.Decide(Valuation.Evaluate(Holdings.CashOnly(1m), request.Prices, request.Targets).Value, new RebalancePolicy(absurd), RebalanceHistory.None, DateTimeOffset.UnixEpoch);

        Assert.Equal(Rules.FeeRateOutOfRange, TradePlanner.Plan(request).Error?.Rule);
        Assert.Equal(Rules.ThresholdOutOfRange, policy.Error?.Rule);
        Assert.Contains("(as a fraction)", policy.Error!.Message, StringComparison.Ordinal);
    }
}
