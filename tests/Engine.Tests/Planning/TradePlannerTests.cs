using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Tests.Planning;

/// <summary>Hand-computed plans: every quantity below is worked out in the comment next to it.</summary>
public sealed class TradePlannerTests
{
    private static readonly Dictionary<string, decimal> Prices = new(StringComparer.Ordinal)
    {
        ["BTC"] = 50_000m, ["ETH"] = 2_500m, ["DOGE"] = 0.1m,
    };

    private static readonly Dictionary<string, decimal> HalfHalf = new(StringComparer.Ordinal) { ["BTC"] = 0.5m, ["ETH"] = 0.5m };

    private static TradePlan Plan(
        Holdings holdings,
        IReadOnlyDictionary<string, decimal>? targets = null,
        PlanOptions? options = null,
        Dictionary<string, SymbolRules>? rules = null)
    {
        var result = TradePlanner.Plan(new PlanRequest(
            holdings, Prices, targets ?? HalfHalf, rules ?? new Dictionary<string, SymbolRules>(StringComparer.Ordinal), options ?? new PlanOptions()));
        Assert.True(result.IsSuccess, result.Error?.ToString());
        return result.Value;
    }

    private static (int Leg, string Symbol, OrderSide Side, decimal Quantity)[] Legs(TradePlan plan) =>
        plan.Orders.Select(o => (o.Leg, o.Symbol, o.Side, o.Quantity)).ToArray();

    [Fact]
    public void First_funding_without_fees_buys_the_targets_exactly()
    {
        var plan = Plan(Holdings.CashOnly(10_000m), new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 0.6m, ["ETH"] = 0.4m });

        // 6,000 / 50,000 = 0.12 BTC; 4,000 / 2,500 = 1.6 ETH.
        Assert.Equal([(1, "BTC", OrderSide.Buy, 0.12m), (2, "ETH", OrderSide.Buy, 1.6m)], Legs(plan));
        Assert.Equal(10_000m, plan.Turnover);
        Assert.Equal(0m, plan.EstimatedFees);
        Assert.Equal(0m, plan.ResidualDrift);
        Assert.Equal(0m, plan.ExpectedHoldings.Cash);
    }

    [Fact]
    public void Buy_fees_are_grossed_up_so_the_net_quantity_reaches_the_target()
    {
        // Fee 0.1 % of the asset received. NAV after fees N' = 10,000·(1 − 0.001) = 9,990: BTC target 5,994 net,
        // bought gross 5,994 / 0.999 = 6,000 → 0.12 BTC, of which 0.00012 is the fee; ETH likewise 1.6 gross.
        var plan = Plan(
            Holdings.CashOnly(10_000m),
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 0.6m, ["ETH"] = 0.4m },
            new PlanOptions(FeeRate: 0.001m));

        Assert.Equal([(1, "BTC", OrderSide.Buy, 0.12m), (2, "ETH", OrderSide.Buy, 1.6m)], Legs(plan));
        Assert.Equal(10m, plan.EstimatedFees); // 0.00012 × 50,000 + 0.0016 × 2,500
        Assert.Equal(0.11988m, plan.ExpectedHoldings.QuantityOf("BTC"));
        Assert.Equal(1.5984m, plan.ExpectedHoldings.QuantityOf("ETH"));
        Assert.Equal(0m, plan.ExpectedHoldings.Cash);
        Assert.Equal(0m, plan.ResidualDrift);
    }

    [Fact]
    public void Sells_come_before_buys()
    {
        // 0.2 BTC = 10,000, no ETH: sell 0.1 BTC (5,000), buy 2 ETH (5,000).
        var plan = Plan(Holdings.Of(0m, ("BTC", 0.2m)));

        Assert.Equal([(1, "BTC", OrderSide.Sell, 0.1m), (2, "ETH", OrderSide.Buy, 2m)], Legs(plan));
    }

    [Fact]
    public void An_asset_that_left_the_index_is_sold_entirely()
    {
        // NAV 100 + 5,000 + 5,000 = 10,100 → 5,050 each: sell all DOGE, buy 0.001 BTC and 0.02 ETH.
        var plan = Plan(Holdings.Of(0m, ("DOGE", 1_000m), ("BTC", 0.1m), ("ETH", 2m)));

        Assert.Equal(
            [(1, "DOGE", OrderSide.Sell, 1_000m), (2, "BTC", OrderSide.Buy, 0.001m), (3, "ETH", OrderSide.Buy, 0.02m)],
            Legs(plan));
        Assert.Equal(0m, plan.ExpectedHoldings.QuantityOf("DOGE"));
    }

    [Fact]
    public void An_asset_that_left_the_index_is_sold_to_the_last_unit_when_the_exchange_sets_no_lot_step()
    {
        // 1,000 DOGE bought with a 0.1 % commission in DOGE: 999.000000000000714 held, more places than the 12 a
        // quantity is cut to without a step. Cut, the exit would leave 7.14e-13 DOGE that nothing could ever sell.
        var plan = Plan(Holdings.Of(0m, ("DOGE", 999.000000000000714m), ("BTC", 0.1m), ("ETH", 2m)));

        Assert.Equal((1, "DOGE", OrderSide.Sell, 999.000000000000714m), Legs(plan)[0]);
        Assert.Equal(0m, plan.ExpectedHoldings.QuantityOf("DOGE"));

        // With a lot step the exchange decides: the remainder below the step stays, and the plan says so.
        var stepped = Plan(Holdings.Of(0m, ("DOGE", 999.5m), ("BTC", 0.1m), ("ETH", 2m)),
            rules: new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["DOGE"] = new(1m) });
        Assert.Equal((1, "DOGE", OrderSide.Sell, 999m), Legs(stepped)[0]);
        var dust = Assert.Single(stepped.Dropped);
        Assert.Equal(("DOGE", OrderSide.Sell, DropReason.ZeroAfterLotRounding, 0.5m, 0.05m), (dust.Symbol, dust.Side, dust.Reason, dust.Quantity, dust.Notional));
        Assert.Equal("Sell DOGE: 0.5 left of the exit rounds down to 0 at lot step 1 and stays as dust", dust.Message);
        Assert.Equal(0.5m, stepped.ExpectedHoldings.QuantityOf("DOGE"));
    }

    [Fact]
    public void An_asset_without_an_open_market_is_not_traded_and_its_order_is_reported()
    {
        var plan = Plan(Holdings.Of(0m, ("DOGE", 1_000m), ("BTC", 0.1m), ("ETH", 2m)),
            rules: new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["DOGE"] = SymbolRules.MarketClosed });

        // DOGE is held as it is; the targets apply to the rest (5,000 BTC and 5,000 ETH: on target, nothing to trade).
        // Counted in the NAV they are planned for, it would make both look underweight and ask for buys without cash.
        Assert.Empty(plan.Orders);
        var dropped = Assert.Single(plan.Dropped);
        Assert.Equal(("DOGE", OrderSide.Sell, DropReason.MarketClosed, 1_000m), (dropped.Symbol, dropped.Side, dropped.Reason, dropped.Quantity));
        Assert.Equal(1_000m, plan.ExpectedHoldings.QuantityOf("DOGE"));
        Assert.Equal(10_100m, plan.Nav);

        // The drift left is the whole fund's: DOGE's 100 of 10,100 stays, and BTC and ETH are 50 short of half each.
        Assert.Equal(0.0099009900990099m, decimal.Round(plan.ResidualDrift, 16)); // 100 / 10,100
        Assert.Equal(Valuation.Evaluate(plan.ExpectedHoldings, Prices, HalfHalf).Value.TotalDrift, plan.ResidualDrift);
    }

    [Fact]
    public void A_constituent_without_an_open_market_keeps_its_share_and_the_rest_is_invested_to_target()
    {
        // ETH (half the index) is held on target, 5,000 of 10,000, but its market is closed; the other 5,000 is cash.
        // BTC's target is half the fund, 5,000: buy 0.1 BTC. ETH's target does not hold back cash it already has.
        var plan = Plan(Holdings.Of(5_000m, ("ETH", 2m)),
            rules: new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["ETH"] = SymbolRules.MarketClosed });

        Assert.Equal([(1, "BTC", OrderSide.Buy, 0.1m)], Legs(plan));
        Assert.Empty(plan.Dropped);
        Assert.Equal(0m, plan.ExpectedHoldings.Cash);
        Assert.Equal(0m, plan.ResidualDrift);

        // Overweight, ETH cannot be sold: its sell is reported, and the cash there is goes to BTC.
        var over = Plan(Holdings.Of(3_000m, ("ETH", 2.8m)),
            rules: new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["ETH"] = SymbolRules.MarketClosed });
        Assert.Equal([(1, "BTC", OrderSide.Buy, 0.06m)], Legs(over));
        var dropped = Assert.Single(over.Dropped);
        Assert.Equal(("ETH", OrderSide.Sell, DropReason.MarketClosed, 0.8m), (dropped.Symbol, dropped.Side, dropped.Reason, dropped.Quantity));
    }

    [Fact]
    public void Quantities_are_rounded_down_to_the_lot_step()
    {
        // 5,000 / 50,000 = 0.1 BTC exactly, but ETH 5,000 / 2,400 = 2.0833… → 2.08 at step 0.01.
        var prices = new Dictionary<string, decimal>(Prices, StringComparer.Ordinal) { ["ETH"] = 2_400m };
        var rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["ETH"] = new(StepSize: 0.01m) };
        var plan = TradePlanner.Plan(new PlanRequest(Holdings.CashOnly(10_000m), prices, HalfHalf, rules, new PlanOptions())).Value;

        Assert.Equal(2.08m, plan.Orders.Single(o => o.Symbol == "ETH").Quantity);
        Assert.Equal(8m, plan.ExpectedHoldings.Cash); // 5,000 − 2.08 × 2,400
    }

    [Fact]
    public void An_order_below_the_exchange_minimum_notional_is_dropped_and_reported()
    {
        var rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["DOGE"] = new(StepSize: 1m, MinNotional: 200m) };
        var plan = Plan(Holdings.Of(100m, ("DOGE", 1_000m)), rules: rules);

        var dropped = Assert.Single(plan.Dropped);
        Assert.Equal(DropReason.BelowMinNotional, dropped.Reason);
        Assert.Equal("Sell DOGE: value 100 below the exchange minimum notional 200", dropped.Message);
        Assert.DoesNotContain(plan.Orders, o => o.Symbol == "DOGE");

        // Only the 100 in cash is there to spend: the two buys, wanting 100 each, are halved.
        Assert.Equal([(1, "BTC", OrderSide.Buy, 0.001m), (2, "ETH", OrderSide.Buy, 0.02m)], Legs(plan));
        Assert.Equal(0m, plan.ExpectedHoldings.Cash);
    }

    [Fact]
    public void Buys_with_no_cash_at_all_are_reported()
    {
        var rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["DOGE"] = new(StepSize: 1m, MinNotional: 200m) };
        var plan = Plan(Holdings.Of(0m, ("DOGE", 1_000m)), rules: rules);

        Assert.Empty(plan.Orders);
        Assert.Equal(
            [DropReason.BelowMinNotional, DropReason.NoCashAvailable, DropReason.NoCashAvailable],
            plan.Dropped.Select(d => d.Reason));
    }

    [Fact]
    public void Orders_below_the_minimum_trade_value_are_dropped()
    {
        // NAV 10,050 → 5,025 each: sell 0.01 ETH (25), buy 0.0005 BTC (25): both under 30.
        var plan = Plan(Holdings.Of(0m, ("BTC", 0.1m), ("ETH", 2.02m)), options: new PlanOptions(MinTradeValue: 30m));

        Assert.Empty(plan.Orders);
        Assert.Equal([DropReason.BelowMinTradeValue, DropReason.NoCashAvailable], plan.Dropped.Select(d => d.Reason));
    }

    [Fact]
    public void Min_quantity_and_zero_after_rounding_are_reported_separately()
    {
        var rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal)
        {
            ["BTC"] = new(StepSize: 0.001m, MinQuantity: 0.2m),
            ["ETH"] = new(StepSize: 10m),
        };
        var plan = Plan(Holdings.CashOnly(10_000m), rules: rules);

        Assert.Equal([DropReason.BelowMinQuantity, DropReason.ZeroAfterLotRounding], plan.Dropped.Select(d => d.Reason));
        Assert.Equal(10_000m, plan.ExpectedHoldings.Cash);
    }

    [Fact]
    public void A_quantity_above_the_exchange_maximum_is_capped_and_the_rest_reported()
    {
        var rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["BTC"] = new(StepSize: 0.001m, MaxQuantity: 1.5m) };
        var plan = Plan(Holdings.CashOnly(200_000m), rules: rules);

        Assert.Equal(1.5m, plan.Orders.Single(o => o.Symbol == "BTC").Quantity);
        var dropped = Assert.Single(plan.Dropped);
        Assert.Equal((DropReason.AboveMaxQuantity, 0.5m), (dropped.Reason, dropped.Quantity));
    }

    [Fact]
    public void An_order_worth_more_than_the_exchange_maximum_notional_is_capped_and_the_rest_reported()
    {
        // 100,000 wanted in BTC (2 BTC at 50,000); at most 60,000 per order: 1.2 BTC, and 0.8 BTC is left for later.
        var rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal) { ["BTC"] = new(StepSize: 0.001m, MaxNotional: 60_000m) };
        var plan = Plan(Holdings.CashOnly(200_000m), rules: rules);

        Assert.Equal(1.2m, plan.Orders.Single(o => o.Symbol == "BTC").Quantity);
        var dropped = Assert.Single(plan.Dropped);
        Assert.Equal((DropReason.AboveMaxQuantity, 0.8m, 40_000m), (dropped.Reason, dropped.Quantity, dropped.Notional));
        Assert.Equal("Buy BTC: 0.8 above the exchange's maximum notional of 60000 per order is left for the next rebalance", dropped.Message);
    }

    [Fact]
    public void The_smaller_of_the_maximum_quantity_and_the_maximum_notional_caps_an_order()
    {
        // 60,000 at 50,000 allows 1.2 BTC, below the 1.5 BTC maximum quantity; 1.1 BTC is below 1.2 BTC.
        var byNotional = Plan(Holdings.CashOnly(200_000m), rules: new(StringComparer.Ordinal) { ["BTC"] = new(StepSize: 0.001m, MaxQuantity: 1.5m, MaxNotional: 60_000m) });
        var byQuantity = Plan(Holdings.CashOnly(200_000m), rules: new(StringComparer.Ordinal) { ["BTC"] = new(StepSize: 0.001m, MaxQuantity: 1.1m, MaxNotional: 60_000m) });

        Assert.Equal(1.2m, byNotional.Orders.Single(o => o.Symbol == "BTC").Quantity);
        Assert.Equal(1.1m, byQuantity.Orders.Single(o => o.Symbol == "BTC").Quantity);
    }

    [Fact]
    public void A_cash_buffer_stays_in_cash()
    {
        var plan = Plan(Holdings.CashOnly(10_000m), options: new PlanOptions(CashBuffer: 0.05m));

        Assert.Equal([(1, "BTC", OrderSide.Buy, 0.095m), (2, "ETH", OrderSide.Buy, 1.9m)], Legs(plan));
        Assert.Equal(500m, plan.ExpectedHoldings.Cash);
        Assert.Equal(0m, plan.ResidualDrift);
    }

    [Fact]
    public void Band_edge_mode_trades_only_back_to_the_nearest_edge()
    {
        // 65 % BTC / 35 % ETH, band ±5pp: to the edge means 55 % / 45 %, i.e. sell 0.02 BTC, buy 0.4 ETH;
        // to target means 50/50: sell 0.03 BTC, buy 0.6 ETH.
        var holdings = Holdings.Of(0m, ("BTC", 0.13m), ("ETH", 1.4m));
        var toEdge = Plan(holdings, options: new PlanOptions(Mode: RebalanceMode.ToBandEdge, BandWidth: 0.05m));
        var toTarget = Plan(holdings);

        Assert.Equal([(1, "BTC", OrderSide.Sell, 0.02m), (2, "ETH", OrderSide.Buy, 0.4m)], Legs(toEdge));
        Assert.Equal([(1, "BTC", OrderSide.Sell, 0.03m), (2, "ETH", OrderSide.Buy, 0.6m)], Legs(toTarget));
        Assert.Equal(2_000m, toEdge.Turnover);
        Assert.Equal(3_000m, toTarget.Turnover);
    }

    [Fact]
    public void Band_edge_mode_leaves_assets_inside_their_band_alone()
    {
        var targets = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 0.5m, ["ETH"] = 0.3m, ["DOGE"] = 0.2m };

        // BTC 62 % (out, edge 55 %), ETH 27 % (in band), DOGE 11 % (out, edge 15 %).
        var plan = Plan(
            Holdings.Of(0m, ("BTC", 0.124m), ("ETH", 1.08m), ("DOGE", 11_000m)),
            targets,
            new PlanOptions(Mode: RebalanceMode.ToBandEdge, BandWidth: 0.05m));

        Assert.Equal([(1, "BTC", OrderSide.Sell, 0.014m), (2, "DOGE", OrderSide.Buy, 4_000m)], Legs(plan));
    }

    [Fact]
    public void Band_edge_mode_invests_a_cash_only_fund_to_target()
    {
        var plan = Plan(Holdings.CashOnly(10_000m), options: new PlanOptions(Mode: RebalanceMode.ToBandEdge, BandWidth: 0.05m));

        Assert.Equal([(1, "BTC", OrderSide.Buy, 0.1m), (2, "ETH", OrderSide.Buy, 2m)], Legs(plan));
    }

    [Fact]
    public void The_same_request_gives_the_same_plan()
    {
        var holdings = Holdings.Of(1_234.5m, ("DOGE", 999m), ("BTC", 0.0321m), ("ETH", 3.3m));
        var options = new PlanOptions(FeeRate: 0.00075m, MinTradeValue: 5m);
        var first = Plan(holdings, options: options);
        var second = Plan(holdings, options: options);

        Assert.Equal(first.Orders, second.Orders);
        Assert.Equal(first.Dropped, second.Dropped);
        Assert.Equal(first.ExpectedHoldings.Quantities, second.ExpectedHoldings.Quantities);
    }

    public static TheoryData<PlanOptions, Dictionary<string, SymbolRules>, string, string> InvalidRequests => new()
    {
        { new PlanOptions(FeeRate: -0.001m), [], Rules.FeeRateOutOfRange, "exchange.feeRate" },
        { new PlanOptions(FeeRate: 0.5m), [], Rules.FeeRateOutOfRange, "exchange.feeRate" },
        { new PlanOptions(CashBuffer: 1m), [], Rules.CashBufferOutOfRange, "rebalance.cashBuffer" },
        { new PlanOptions(MinTradeValue: -1m), [], Rules.MinTradeValueOutOfRange, "rebalance.minTradeValue" },
        { new PlanOptions(), new() { ["BTC"] = new(StepSize: -1m) }, Rules.InvalidSymbolRules, "symbolRules[BTC]" },
        { new PlanOptions(), new() { ["BTC"] = new(StepSize: 0.1m, MaxQuantity: 0m) }, Rules.InvalidSymbolRules, "symbolRules[BTC]" },
        { new PlanOptions(), new() { ["BTC"] = new(StepSize: 0.1m, MaxNotional: 0m) }, Rules.InvalidSymbolRules, "symbolRules[BTC]" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public void An_invalid_request_is_an_error_naming_the_field(PlanOptions options, Dictionary<string, SymbolRules> rules, string rule, string field)
    {
        var result = TradePlanner.Plan(new PlanRequest(Holdings.CashOnly(100m), Prices, HalfHalf, rules, options));

        Assert.Equal(rule, result.Error?.Rule);
        Assert.Equal(field, result.Error?.Field);
    }

    [Fact]
    public void A_missing_price_for_a_held_asset_is_an_error_naming_it()
    {
        var result = TradePlanner.Plan(new PlanRequest(
            Holdings.Of(0m, ("XRP", 10m)), Prices, HalfHalf, new Dictionary<string, SymbolRules>(), new PlanOptions()));

        Assert.Equal("prices[XRP]", result.Error?.Field);
    }

    /// <summary>
    /// Buffer 10 %, BTC 50 % / ETH 50 %, fee 0.1 %. The plan sells BTC and budgets the ETH buy from cash + its proceeds
    /// − the buffer. Once the sells are over (the BTC sell was refused), planning again with <c>BuysOnly</c> keeps BTC
    /// as it is, reports its sell as not sold and budgets the buys from the cash alone: the buffer is kept.
    /// </summary>
    [Theory]
    [InlineData(1_000)]
    [InlineData(3_000)]
    public void Buys_only_plans_no_sell_and_spends_only_the_cash_above_the_buffer(decimal cash)
    {
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 60_000m, ["ETH"] = 3_000m };
        var request = new PlanRequest(
            Holdings.Of(cash, ("BTC", 0.1m), ("ETH", 1m)), prices, HalfHalf, new Dictionary<string, SymbolRules>(StringComparer.Ordinal),
            new PlanOptions(FeeRate: 0.001m, CashBuffer: 0.1m));
        decimal Nav(Holdings h) => h.Cash + h.Quantities.Sum(q => q.Value * prices[q.Key]);

        var both = TradePlanner.Plan(request).Value;
        var buysOnly = TradePlanner.Plan(request with { BuysOnly = true }).Value;

        if (cash == 1_000m)
        {
            // The review's numbers: sell 0.02502 BTC, buy 0.50005 ETH (1,500.15), on 1,000 of cash.
            Assert.Equal([(1, "BTC", OrderSide.Sell, 0.02502m), (2, "ETH", OrderSide.Buy, 0.50005m)], both.Orders.Select(o => (o.Leg, o.Symbol, o.Side, decimal.Round(o.Quantity, 5))));
        }

        Assert.Empty(buysOnly.Sells);
        var notSold = Assert.Single(buysOnly.Dropped);
        Assert.Equal(("BTC", OrderSide.Sell, DropReason.SellsOver), (notSold.Symbol, notSold.Side, notSold.Reason));
        Assert.Equal(decimal.Round(both.Sells.Single().Quantity, 4), decimal.Round(notSold.Quantity, 4));
        Assert.Equal(0.1m, buysOnly.ExpectedHoldings.QuantityOf("BTC"));
        var eth = Assert.Single(buysOnly.Buys);
        Assert.Equal("ETH", eth.Symbol);

        // What the buys leave is the buffer. The planner sets it against the NAV after the fees of the whole wanted
        // rebalance (as without BuysOnly), which a buy scaled down to the cash does not pay in full: the buffer can be
        // short by a tenth of the fees not paid, well below 0.1 × fee × NAV.
        var expected = buysOnly.ExpectedHoldings;
        Assert.InRange(expected.Cash - (0.1m * Nav(expected)), -0.1m * 0.001m * Nav(expected), 0m);
        Assert.Equal(expected.Cash, cash - eth.Notional);
    }
}
