using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Funds;

namespace CryptoIndex.Operator.Tests.Funds;

public sealed class DryRunPlanTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly AssetRef Btc = new("BTC", "bitcoin", "BTCUSDT");
    private static readonly AssetRef Eth = new("ETH", "ethereum", "ETHUSDT");

    private static readonly IndexFund Fund = ManifestReader.Read("""
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata: {name: sixty-forty}
        spec:
          capital: 10000
          weighting: Manual
          dryRun: true
          constituents:
            - {symbol: BTC, coinGeckoId: bitcoin, weight: 60%}
            - {symbol: ETH, coinGeckoId: ethereum, weight: 40%}
        """).Funds[0];

    private static FundEvaluation Evaluate(Holdings holdings, decimal btcPrice) => FundEvaluator.Evaluate(
        Fund,
        new MarketSnapshot(
            Now,
            new Dictionary<AssetRef, PriceQuote>
            {
                [Btc] = new("BTC", btcPrice, 900_000_000_000m, Now, "coingecko", MarketCapOrigin.Reported),
                [Eth] = new("ETH", 2_500m, 300_000_000_000m, Now, "coingecko", MarketCapOrigin.Reported),
            },
            [],
            [],
            new HashSet<AssetRef> { Btc, Eth }),
        holdings,
        RebalanceHistory.None,
        Now);

    private static readonly PlanOptions Options = new(FeeRate: 0.001m);

    [Fact]
    public void The_plan_lists_sells_before_buys_with_turnover_and_fees_and_sends_nothing()
    {
        var holdings = Holdings.Of(0m, ("BTC", 0.16m), ("ETH", 0.8m)); // 80/20 at these prices
        var evaluation = Evaluate(holdings, 50_000m);
        var plan = DryRunPlan.Describe(holdings, evaluation, Options, "drift", previous: null, Now);

        // The Engine's plan (tested exactly in Engine.Tests) is the oracle; this layer only reports it.
        var engine = TradePlanner.Plan(new PlanRequest(
            holdings, new Dictionary<string, decimal> { ["BTC"] = 50_000m, ["ETH"] = 2_500m }, evaluation.Targets!, new Dictionary<string, SymbolRules>(), Options)).Value;
        var (sell, buy) = (Assert.Single(engine.Sells), Assert.Single(engine.Buys));

        Assert.Equal(("dry-run", "DryRun", "drift", "2026-11-26T12:00:00Z"), (plan.Id, plan.Phase!, plan.Reason!, plan.StartedAt!));
        Assert.Equal(("BTC", "ETH"), (sell.Symbol, buy.Symbol));
        Assert.Equal(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"would sell {sell.Quantity:0.############} BTC, buy {buy.Quantity:0.############} ETH; nothing was sent"),
            plan.Message);
        Assert.Equal((StatusText.Money(engine.Turnover), StatusText.Money(engine.EstimatedFees)), (plan.Turnover!, plan.Fees!));
        Assert.Equal(engine.Turnover * 0.001m, engine.EstimatedFees);
        Assert.Null(plan.CompletedAt);
    }

    [Fact]
    public void The_same_plan_later_is_the_previous_entry_so_an_unchanged_fund_writes_nothing()
    {
        var cash = Holdings.CashOnly(10_000m);
        var first = DryRunPlan.Describe(cash, Evaluate(cash, 50_000m), Options, "first funding", previous: null, Now);

        var same = DryRunPlan.Describe(cash, Evaluate(cash, 50_000m), Options, "first funding", first, Now.AddMinutes(5));
        var moved = DryRunPlan.Describe(cash, Evaluate(cash, 40_000m), Options, "first funding", first, Now.AddMinutes(10));

        Assert.Same(first, same);
        Assert.Equal("would buy 0.12 BTC, buy 1.6 ETH; nothing was sent", first.Message);
        Assert.Equal(("would buy 0.15 BTC, buy 1.6 ETH; nothing was sent", "2026-11-26T12:10:00Z"), (moved.Message, moved.StartedAt!));
    }

    [Theory]
    [InlineData("would buy 0.062691571369 BTC, buy 0.84 ETH; nothing was sent", "first funding: 10000 in cash to invest", false)]
    [InlineData("would buy 0.062691571369 BTC; nothing was sent", "first funding: 10000 in cash to invest", true)]
    [InlineData("would sell 0.01 BTC, buy 0.84 ETH; nothing was sent", "first funding: 10000 in cash to invest", true)]
    [InlineData("would buy 0.05 BTC, buy 0.9 ETH; nothing was sent", "BTC drift -5.4pp exceeds threshold 5pp", true)]
    public void Only_other_orders_or_reasons_are_news_not_quantities_moving_with_prices(string message, string reason, bool isNew)
    {
        var previous = new RebalanceRecord { Id = DryRunPlan.Id, Message = "would buy 0.0627 BTC, buy 0.841 ETH; nothing was sent", Reason = "first funding: 10000 in cash to invest" };

        Assert.Equal(isNew, DryRunPlan.IsNew(new RebalanceRecord { Id = DryRunPlan.Id, Message = message, Reason = reason }, previous));
        Assert.True(DryRunPlan.IsNew(new RebalanceRecord { Id = DryRunPlan.Id, Message = message, Reason = reason }, null));
    }

    [Fact]
    public void With_the_exchanges_rules_the_plan_is_on_its_lot_steps_and_without_them_it_says_why_which_is_news()
    {
        var cash = Holdings.CashOnly(10_000m);
        var evaluation = Evaluate(cash, 43_210m);
        var rules = new Dictionary<string, SymbolRules>
        {
            ["BTC"] = new(0.00001m, 0.00001m, 5m, 9000m),
            ["ETH"] = new(0.0001m, 0.0001m, 5_000m, 90000m),
        };

        var withRules = DryRunPlan.Describe(cash, evaluation, Options, "first funding", previous: null, Now, rules, buyHeadroom: 0.01m);
        var without = DryRunPlan.Describe(cash, evaluation, Options, "first funding", withRules, Now, rulesUnavailable: "Binance exchange info: down");
        var sameOutage = DryRunPlan.Describe(cash, evaluation, Options, "first funding", without, Now.AddMinutes(1), rulesUnavailable: "Binance exchange info: down");
        var back = DryRunPlan.Describe(cash, evaluation, Options, "first funding", without, Now.AddMinutes(2), rules, buyHeadroom: 0.01m);

        Assert.Equal("would buy 0.13885 BTC; below the minimums, not sent: buy ETH; nothing was sent", withRules.Message);
        Assert.Equal(
            "would buy 0.138856746123 BTC, buy 1.6 ETH; nothing was sent; " + DryRunPlan.WithoutRules
            + "Binance exchange info: down; a real run would wait for them, and the plan is made again with them once they can be read",
            without.Message);
        Assert.Same(without, sameOutage);
        Assert.True(DryRunPlan.IsNew(without, withRules));
        Assert.True(DryRunPlan.IsNew(back, without));
        Assert.Equal(withRules.Message, back.Message);
    }
}
