using CsCheck;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Planning;

/// <summary>Properties of plans over random funds, exchanges and options.</summary>
public sealed class TradePlannerProperties
{
    private static readonly Gen<decimal> Prices = Gen.Decimal[0.0001m, 100_000m].Select(p => decimal.Round(p, 4)).Where(p => p > 0m);

    private static readonly Gen<PlanRequest> Requests =
        from n in Gen.Int[1, 8]
        from prices in Prices.Array[n + 1]
        from quantities in Gen.Decimal[0m, 1_000m].Select(q => decimal.Round(q, 6)).Array[n + 1]
        from heldOutsideIndex in Gen.Bool
        from cash in Gen.Decimal[0m, 1_000_000m].Select(c => decimal.Round(c, 2))
        from marketCaps in Gen.Int[1, 1_000_000].Array[n]
        from stepExponents in Gen.Int[0, 9].Array[n + 1]
        from minNotional in Gen.Int[0, 10]
        from minTrade in Gen.Int[0, 20]
        from feeBasisPoints in Gen.Int[0, 50]
        from bufferPercent in Gen.Int[0, 10]
        from mode in Gen.OneOf(RebalanceMode.ToTarget, RebalanceMode.ToBandEdge)
        from bandPercent in Gen.Int[1, 10]
        select Build(n, prices, quantities, heldOutsideIndex, cash, marketCaps, stepExponents, minNotional, minTrade, feeBasisPoints, bufferPercent, mode, bandPercent);

    [Fact]
    public void A_plan_never_spends_more_cash_than_it_has_nor_sells_more_than_is_held()
    {
        Requests.Sample(request =>
        {
            var plan = TradePlanner.Plan(request).Value;

            // Applying every order as the expected fill must succeed: the ledger refuses negative cash or quantity.
            var applied = FundLedger.ApplyAll(request.Holdings, plan.Orders.Select(o => FeeModel.ExpectedFill(o, request.Options.FeeRate)));
            Assert.True(applied.IsSuccess, applied.Error?.ToString());
            Assert.True(applied.Value.Cash >= 0m);
            var spent = plan.Buys.Sum(o => o.Notional);
            var available = request.Holdings.Cash + plan.Sells.Sum(o => o.Notional - o.EstimatedFee);
            Assert.True(spent <= available, $"spent {spent} of {available}");
        }, iter: 2000);
    }

    [Fact]
    public void Sells_come_first_and_legs_are_numbered_in_order()
    {
        Requests.Sample(request =>
        {
            var plan = TradePlanner.Plan(request).Value;
            Assert.Equal(Enumerable.Range(1, plan.Orders.Count), plan.Orders.Select(o => o.Leg));
            var firstBuy = plan.Orders.FirstOrDefault(o => o.Side == OrderSide.Buy)?.Leg ?? int.MaxValue;
            Assert.All(plan.Sells, sell => Assert.True(sell.Leg < firstBuy));
        }, iter: 1000);
    }

    [Fact]
    public void Every_order_respects_the_exchange_rules_and_the_minimum_trade_value()
    {
        Requests.Sample(request =>
        {
            foreach (var order in TradePlanner.Plan(request).Value.Orders)
            {
                var rules = request.SymbolRules.TryGetValue(order.Symbol, out var r) ? r : SymbolRules.Unrestricted;
                Assert.Equal(0m, rules.StepSize > 0m ? order.Quantity % rules.StepSize : 0m);
                Assert.True(order.Quantity >= rules.MinQuantity);
                Assert.True(order.Notional >= rules.MinNotional);
                Assert.True(order.Notional >= request.Options.MinTradeValue);
                Assert.Equal(order.Quantity * order.Price, order.Notional);
            }
        }, iter: 1000);
    }

    [Fact]
    public void Value_is_conserved_nav_before_equals_nav_after_plus_fees()
    {
        Requests.Sample(request =>
        {
            var plan = TradePlanner.Plan(request).Value;
            var before = Valuation.Evaluate(request.Holdings, request.Prices, request.Targets, request.Options.CashBuffer).Value.Nav;
            var after = Valuation.Evaluate(plan.ExpectedHoldings, request.Prices, request.Targets, request.Options.CashBuffer).Value.Nav;
            Assert.Equal(before, after + plan.EstimatedFees);
        }, iter: 2000);
    }

    [Fact]
    public void Planning_again_after_the_fills_trades_nothing_but_dust()
    {
        Requests.Sample(request =>
        {
            var first = TradePlanner.Plan(request).Value;
            var again = TradePlanner.Plan(request with { Holdings = first.ExpectedHoldings }).Value;

            // Dust: what lot rounding can leave behind, one step of every asset, plus what one fee on it can shift.
            // (a symbol without a lot step leaves at most decimal's last digit, counted as a cent)
            var dust = request.Prices.Sum(p => request.SymbolRules.TryGetValue(p.Key, out var r) && r.StepSize > 0m ? r.StepSize * p.Value : 0.01m) * 2m;
            var largest = again.Orders.Select(o => o.Notional).DefaultIfEmpty(0m).Max();
            Assert.True(largest <= dust, $"second plan trades {largest} > dust {dust}: {string.Join("; ", again.Orders)}\nFIRST {string.Join("; ", first.Orders)} DROPPED {string.Join("; ", first.Dropped)}\nHOLD {string.Join(",", request.Holdings.Quantities)} cash {request.Holdings.Cash} PRICES {string.Join(",", request.Prices)} TARGETS {string.Join(",", request.Targets)} RULES {string.Join(",", request.SymbolRules)}\nAFTER {string.Join(",", first.ExpectedHoldings.Quantities)} cash {first.ExpectedHoldings.Cash}");
        }, iter: 2000);
    }

    private static PlanRequest Build(
        int n,
        decimal[] prices,
        decimal[] quantities,
        bool heldOutsideIndex,
        decimal cash,
        int[] marketCaps,
        int[] stepExponents,
        int minNotional,
        int minTrade,
        int feeBasisPoints,
        int bufferPercent,
        RebalanceMode mode,
        int bandPercent)
    {
        var symbols = Enumerable.Range(0, n + 1).Select(i => $"S{i}").ToArray();
        var targets = TargetWeights.Compute(
            symbols.Take(n).Select((s, i) => new Constituent(s, MarketCap: marketCaps[i])).ToList(),
            new WeightingRules(WeightingScheme.MarketCap, AssetCap: n == 1 ? 1m : 0.6m)).Value.BySymbol();
        var held = symbols.Select((s, i) => (s, quantities[i])).Where(h => heldOutsideIndex || h.s != symbols[n]).ToArray();
        return new PlanRequest(
            Holdings.Of(cash, held),
            symbols.Select((s, i) => (s, prices[i])).ToDictionary(p => p.s, p => p.Item2, StringComparer.Ordinal),
            targets,
            symbols.Select((s, i) => (s, new SymbolRules(stepExponents[i] == 9 ? 0m : DecimalMath.Unit(stepExponents[i]), MinNotional: minNotional)))
                .Where(r => stepExponents.Length % 3 != 0 || r.Item2.StepSize > 0m) // sometimes no rules at all for a symbol
                .ToDictionary(r => r.s, r => r.Item2, StringComparer.Ordinal),
            new PlanOptions(feeBasisPoints / 10_000m, mode, bandPercent / 100m, minTrade, bufferPercent / 100m));
    }
}
