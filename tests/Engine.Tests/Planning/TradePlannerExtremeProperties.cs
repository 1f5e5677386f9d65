using CsCheck;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Tests.Planning;

/// <summary>
/// The plan's money properties at the edges of what the Engine accepts: prices 10^-8..10^6, positions and cash from
/// dust to 10^12, lot steps 0, 10^-8..10, minimum quantity and notional, maximum quantity, fees 0..1 %, closed
/// markets, both modes, and the buys-only round.
/// </summary>
public sealed class TradePlannerExtremeProperties
{
    private static readonly Gen<decimal> Steps = Gen.OneOf(Gen.Const(0m), Gen.Const(1m), Gen.Const(0.001m), Gen.Const(0.00000001m), Gen.Const(0.1m), Gen.Const(10m));

    private static readonly Gen<PlanRequest> Requests =
        from n in Gen.Int[1, 6]
        from prices in LogUniform(-8, 5).Select(p => decimal.Round(p, 8)).Where(p => p >= Limits.MinPrice).Array[n + 1]
        from values in Gen.OneOf(Gen.Const(0m), LogUniform(-4, 11)).Array[n + 1]
        from cash in Gen.OneOf(Gen.Const(0m), LogUniform(-2, 12).Select(c => decimal.Round(c, 2)))
        from weights in Gen.Int[1, 1000].Array[n]
        from steps in Steps.Array[n + 1]
        from minQuantities in Gen.OneOf(Gen.Const(0m), LogUniform(-6, 2)).Array[n + 1]
        from minNotional in Gen.OneOf(Gen.Const(0m), Gen.Const(0.001m), Gen.Const(5m), Gen.Const(10m))
        from maxQuantities in Gen.OneOf(Gen.Const((decimal?)null), Gen.Const((decimal?)null), LogUniform(0, 9).Select(q => (decimal?)q)).Array[n + 1]
        from closed in Gen.Int[0, 7].Array[n + 1]
        from feeBasisPoints in Gen.Int[0, 100]
        from bufferPercent in Gen.Int[0, 10]
        from mode in Gen.OneOf(RebalanceMode.ToTarget, RebalanceMode.ToBandEdge)
        from bandPercent in Gen.Int[0, 10]
        from minTrade in Gen.OneOf(Gen.Const(0m), Gen.Const(1m), Gen.Const(20m))
        from buysOnly in Gen.Int[0, 4]
        select new PlanRequest(
            Holdings.Of(cash, [.. Enumerable.Range(0, n + 1).Select(i => (Symbol(i), Held(values[i], prices[i], steps[i])))]),
            Enumerable.Range(0, n + 1).ToDictionary(Symbol, i => prices[i], StringComparer.Ordinal),
            Targets(weights),
            Enumerable.Range(0, n + 1).ToDictionary(
                Symbol, i => new SymbolRules(steps[i], minQuantities[i], minNotional, maxQuantities[i], Closed: closed[i] == 0), StringComparer.Ordinal),
            new PlanOptions(feeBasisPoints / 10_000m, mode, bandPercent / 100m, minTrade, bufferPercent / 100m)) { BuysOnly = buysOnly == 0 };

    [Fact]
    public void Plans_never_overspend_keep_the_rules_and_report_what_they_leave()
    {
        Requests.Sample(request =>
        {
            var plan = TradePlanner.Plan(request).Value;
            var fee = request.Options.FeeRate;
            var before = Valuation.Evaluate(request.Holdings, request.Prices, request.Targets).Value.Nav;

            // The expected holdings are the orders' fills, which the ledger accepts (no negative cash or quantity).
            var applied = FundLedger.ApplyAll(request.Holdings, plan.Orders.Select(o => FeeModel.ExpectedFill(o, fee)));
            Assert.True(applied.IsSuccess, applied.Error?.ToString());
            Assert.Equal(applied.Value.Cash, plan.ExpectedHoldings.Cash);
            Assert.Equal(applied.Value.Quantities, plan.ExpectedHoldings.Quantities);

            // Buys spend at most the cash and the sells' net proceeds, less the buffer on the NAV left after fees
            // (at least NAV·(1 − 2·fee/(1 − fee)); a position set aside as untradable has no buffer kept for it).
            var spent = plan.Buys.Sum(o => o.Notional);
            var available = request.Holdings.Cash + plan.Sells.Sum(o => o.Notional - o.EstimatedFee);
            Assert.True(spent <= available, $"spent {spent} of {available}");
            var setAside = plan.Dropped.Any(d => d.Reason == DropReason.MarketClosed && !request.Targets.ContainsKey(d.Symbol));
            if (spent > 0m && !setAside)
            {
                var buffer = request.Options.CashBuffer * before * (1m - (2m * fee / (1m - fee)));
                Assert.True(spent <= available - buffer, $"spent {spent} of {available} with a buffer of {buffer}");
            }

            // Sells first; every order within the exchange's rules and the fund's minimum, none in a closed market.
            var firstBuy = plan.Buys.Select(o => o.Leg).DefaultIfEmpty(int.MaxValue).Min();
            Assert.Equal(Enumerable.Range(1, plan.Orders.Count), plan.Orders.Select(o => o.Leg));
            Assert.All(plan.Sells, sell => Assert.True(sell.Leg < firstBuy));
            Assert.True(!request.BuysOnly || !plan.Sells.Any());
            foreach (var order in plan.Orders)
            {
                var rules = request.SymbolRules[order.Symbol];
                Assert.False(rules.Closed);
                Assert.True(order.Quantity > 0m && order.Quantity >= rules.MinQuantity);
                Assert.Equal(0m, rules.StepSize > 0m ? order.Quantity % rules.StepSize : 0m);
                Assert.True(rules.MaxQuantity is not { } max || order.Quantity <= max);
                Assert.True(order.Notional >= rules.MinNotional && order.Notional >= request.Options.MinTradeValue);
                Assert.Equal(order.Quantity * order.Price, order.Notional);
            }

            // The report is the orders': turnover, fees, and the drift the expected holdings leave. Value is conserved
            // to decimal's precision (28 digits: a NAV of 10^12 keeps 16 places).
            var after = Valuation.Evaluate(plan.ExpectedHoldings, request.Prices, request.Targets, request.Options.CashBuffer).Value;
            Assert.Equal(plan.Orders.Sum(o => o.Notional), plan.Turnover);
            Assert.Equal(plan.Orders.Sum(o => o.EstimatedFee), plan.EstimatedFees);
            Assert.Equal(after.TotalDrift, plan.ResidualDrift);
            Assert.Equal(before, plan.Nav);
            Assert.True(Math.Abs(before - (after.Nav + plan.EstimatedFees)) <= before * 1e-21m, $"{before} ≠ {after.Nav} + {plan.EstimatedFees}");

            // An asset outside the index is sold entirely, or what stays is reported.
            foreach (var symbol in request.Holdings.Quantities.Keys.Where(s => !request.Targets.ContainsKey(s)))
            {
                Assert.True(
                    plan.ExpectedHoldings.QuantityOf(symbol) == 0m || plan.Dropped.Any(d => d.Symbol == symbol && d.Side == OrderSide.Sell),
                    $"{symbol}: {plan.ExpectedHoldings.QuantityOf(symbol)} stays unreported");
            }

            // Deterministic whatever order the dictionaries list their entries in.
            var reversed = TradePlanner.Plan(request with
            {
                Prices = request.Prices.Reverse().ToDictionary(),
                Targets = request.Targets.Reverse().ToDictionary(),
                SymbolRules = request.SymbolRules.Reverse().ToDictionary(),
            }).Value;
            Assert.Equal(plan.Orders, reversed.Orders);
            Assert.Equal(plan.Dropped, reversed.Dropped);
        }, iter: 5000);
    }

    [Fact]
    public void Planning_again_after_a_plan_that_dropped_nothing_trades_nothing_but_dust()
    {
        Requests.Sample(request =>
        {
            var first = TradePlanner.Plan(request with { BuysOnly = false }).Value;
            if (first.Dropped.Count > 0 || request.SymbolRules.Values.Any(r => r.MaxQuantity is not null))
            {
                return; // what was not traded is traded next time, by design
            }

            var again = TradePlanner.Plan(request with { BuysOnly = false, Holdings = first.ExpectedHoldings }).Value;

            // Dust: two lot steps of every asset (a millionth of a unit without a step), and a 10^-7 of NAV for decimal.
            var dust = request.Prices.Sum(p => (request.SymbolRules[p.Key].StepSize is > 0m and var step ? step : 0.000001m) * p.Value) * 2m;
            var largest = again.Orders.Select(o => o.Notional).DefaultIfEmpty(0m).Max();
            Assert.True(largest <= dust + (first.Nav * 0.0000001m), $"second plan trades {largest} > dust {dust}: {string.Join("; ", again.Orders)}");
        }, iter: 5000);
    }

    private static string Symbol(int i) => $"S{i}";

    /// <summary>A mantissa of four digits times 10^minExponent..10^maxExponent: every order of magnitude alike.</summary>
    private static Gen<decimal> LogUniform(int minExponent, int maxExponent) =>
        from mantissa in Gen.Int[1000, 9999]
        from exponent in Gen.Int[minExponent, maxExponent]
        select mantissa / 1000m * DecimalMath.PowerOfTen(exponent);

    /// <summary>The quantity worth about <paramref name="value"/>, with more places than the lot step (past buy fees).</summary>
    private static decimal Held(decimal value, decimal price, decimal step) =>
        step > 0m ? DecimalMath.FloorToStep(value / price, step / 1000m) : decimal.Round(value / price, 12);

    /// <summary>Weights of the first n symbols to 6 places, summing to exactly 1 (the first takes the remainder).</summary>
    private static Dictionary<string, decimal> Targets(int[] raw)
    {
        var total = raw.Sum();
        var weights = raw.Select(w => decimal.Round((decimal)w / total, 6)).ToArray();
        weights[0] += 1m - weights.Sum();
        return Enumerable.Range(0, raw.Length).ToDictionary(Symbol, i => weights[i], StringComparer.Ordinal);
    }
}
