using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Planning;

/// <summary>
/// Plans the market orders that bring a fund to its targets.
/// <list type="number">
/// <item>Desired values are set against the NAV that will remain after fees (a fixed point: fees depend on how
/// much is traded, which depends on NAV), so that applying the plan and planning again trades nothing but dust.
/// To the band edge, cash is kept within its own band too (<see cref="DesiredValues"/>).</item>
/// <item>Sells first: overweight assets down to their desired value, assets that left the index entirely.</item>
/// <item>Buys spend at most the cash plus the sells' net proceeds, less the cash buffer (with
/// <see cref="PlanRequest.BuysOnly"/>: no sells, so the cash alone, less the buffer); when that is short of
/// what the buys want, every buy is scaled down by the same factor. Buy quantities are grossed up by the fee so
/// that the quantity received, net of the commission, reaches the target.</item>
/// <item>Every quantity is rounded down to the lot step; orders below the exchange's minimums or the fund's minimum
/// trade value are dropped and reported, never sent.</item>
/// </list>
/// Deterministic: the same request gives the same orders in the same order.
/// </summary>
public static class TradePlanner
{
    private const int MaxFeeIterations = 64;

    public static EngineResult<TradePlan> Plan(PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var error = InputChecks.Holdings(request.Holdings)
            ?? InputChecks.Targets(request.Targets)
            ?? InputChecks.CashBuffer(request.Options.CashBuffer)
            ?? PlanValidation.Check(request);
        if (error is not null)
        {
            return error;
        }

        // A position outside the index that must not be traded (no open market, no current price) is held as it is: the
        // plan is made for the rest of the fund, whose targets then apply to what can trade, and its sell is reported.
        // A constituent that must not be traded stays in the plan, at its target share of the whole fund: its own
        // orders are dropped and reported (TrySize), and the rest trade to their targets. Set aside with the position,
        // its target would be applied to the rest as well, and hold back as cash a share it already has.
        var held = request.Holdings.Quantities
            .Where(q => q.Value != 0m && request.SymbolRules.TryGetValue(q.Key, out var r) && r.Closed
                && !(request.Targets.TryGetValue(q.Key, out var target) && target > 0m))
            .ToList();
        if (held.Count > 0)
        {
            return PlanAround(request, held);
        }

        var valuation = Valuation.Evaluate(request.Holdings, request.Prices, request.Targets, request.Options.CashBuffer);
        if (!valuation.IsSuccess)
        {
            return valuation.Error;
        }

        var nav = valuation.Value.Nav;
        var positions = valuation.Value.Positions;
        var options = request.Options;
        var mode = request.Holdings.HasNoPositions ? RebalanceMode.ToTarget : options.Mode;
        var expectedNav = NavAfterFees(positions, nav, mode, options, request.BuysOnly);
        var desired = DesiredValues(positions, expectedNav, mode, options, request.BuysOnly);

        var orders = new List<PlannedOrder>();
        var dropped = new List<DroppedOrder>();
        if (request.BuysOnly)
        {
            NotSold(positions, DesiredValues(positions, expectedNav, mode, options, buysOnly: false), dropped);
        }

        var proceeds = PlanSells(request, positions, desired, orders, dropped);
        var budget = Math.Max(0m, request.Holdings.Cash + proceeds - (options.CashBuffer * expectedNav));
        PlanBuys(request, positions, desired, budget, orders, dropped);

        var expected = FundLedger.ApplyAll(request.Holdings, orders.Select(o => FeeModel.ExpectedFill(o, options.FeeRate)));
        if (!expected.IsSuccess)
        {
            // The sizing above never over-spends or over-sells; reaching this is a bug, not bad input.
            throw new InvalidOperationException("The plan does not apply to its own holdings: " + expected.Error);
        }

        var residual = Valuation.Evaluate(expected.Value, request.Prices, request.Targets, options.CashBuffer).Value.TotalDrift;
        return new TradePlan(nav, orders, dropped, orders.Sum(o => o.Notional), orders.Sum(o => o.EstimatedFee), expected.Value, residual);
    }

    private static DroppedOrder NotTraded(string symbol, OrderSide side, decimal quantity, decimal price, SymbolRules rules) =>
        new(symbol, side, quantity, quantity * price, DropReason.MarketClosed, $"{side} {symbol}: {rules.ClosedReason ?? "the exchange has no open market for it"}");

    private static EngineResult<TradePlan> PlanAround(PlanRequest request, List<KeyValuePair<string, decimal>> held)
    {
        var plan = Plan(request with { Holdings = request.Holdings.Without(held.Select(h => h.Key)) });
        if (!plan.IsSuccess)
        {
            return plan.Error;
        }

        var expected = plan.Value.ExpectedHoldings;
        var notTraded = new List<DroppedOrder>();
        foreach (var (symbol, quantity) in held)
        {
            // Outside the index: the plan would sell it all.
            expected = expected.WithQuantity(symbol, quantity);
            var price = request.Prices.TryGetValue(symbol, out var known) ? known : 0m;
            notTraded.Add(NotTraded(symbol, OrderSide.Sell, quantity, price, request.SymbolRules[symbol]));
        }

        var nav = plan.Value.Nav + held.Sum(h => h.Value * (request.Prices.TryGetValue(h.Key, out var p) ? p : 0m));

        // The drift left is the whole fund's, the held positions included. One without a price (only an asset outside
        // the index can lack one: the targets need theirs) counts for nothing, as in the NAV, and a position valued at
        // nothing outside the index has no drift either.
        var unpriced = held.Where(h => InputChecks.Price(request.Prices, h.Key) is not null).Select(h => h.Key);
        var residual = Valuation.Evaluate(expected.Without(unpriced), request.Prices, request.Targets, request.Options.CashBuffer);
        if (!residual.IsSuccess)
        {
            return residual.Error;
        }

        return plan.Value with
        {
            Nav = nav, Dropped = [.. notTraded, .. plan.Value.Dropped], ExpectedHoldings = expected, ResidualDrift = residual.Value.TotalDrift,
        };
    }

    /// <summary>
    /// The value the fund should hold of each asset once the plan is done, for a post-trade NAV of
    /// <paramref name="expectedNav"/>. To target: target weight × NAV; an asset outside the index: 0. To the band edge:
    /// an asset within target ± band holds still and one outside moves to the nearest edge; then cash, a holding with
    /// its own band (buffer ± band), is brought back inside it: a surplus is invested in the assets below target, in
    /// proportion to what they lack, and a shortfall is raised from those above, in proportion to their excess. The
    /// result is continuous in the holdings, so a fund just past an edge trades just a little.
    /// </summary>
    private static decimal[] DesiredValues(IReadOnlyList<AssetPosition> positions, decimal expectedNav, RebalanceMode mode, PlanOptions options, bool buysOnly)
    {
        var desired = new decimal[positions.Count];
        var band = options.BandWidth * expectedNav;
        for (var i = 0; i < positions.Count; i++)
        {
            var position = positions[i];
            var target = position.TargetWeight * expectedNav;
            desired[i] = !position.IsConstituent ? 0m
                : mode == RebalanceMode.ToTarget ? target
                : position.Value > target + band ? target + band
                : position.Value < target - band ? Math.Max(0m, target - band)
                : position.Value;
        }

        if (mode == RebalanceMode.ToBandEdge && expectedNav > 0m)
        {
            KeepCashInBand(positions, desired, expectedNav, options);
        }

        if (buysOnly)
        {
            // Nothing is sold: a position the fund would sell holds still.
            for (var i = 0; i < desired.Length; i++)
            {
                desired[i] = Math.Max(desired[i], positions[i].Value);
            }
        }

        return desired;
    }

    /// <summary>The sells a plan without <see cref="PlanRequest.BuysOnly"/> would place, reported as not sold.</summary>
    private static void NotSold(IReadOnlyList<AssetPosition> positions, decimal[] wanted, List<DroppedOrder> dropped)
    {
        for (var i = 0; i < positions.Count; i++)
        {
            var position = positions[i];
            if (position.Quantity == 0m || wanted[i] >= position.Value)
            {
                continue;
            }

            var quantity = wanted[i] == 0m ? position.Quantity : Math.Min(position.Quantity, (position.Value - wanted[i]) / position.Price);
            dropped.Add(new DroppedOrder(
                position.Symbol, OrderSide.Sell, quantity, quantity * position.Price, DropReason.SellsOver,
                $"Sell {position.Symbol}: the rebalance's sells are over; {Format.Number(quantity * position.Price, 2)} is left for the next rebalance and no buy counts on it"));
        }
    }

    private static void KeepCashInBand(IReadOnlyList<AssetPosition> positions, decimal[] desired, decimal expectedNav, PlanOptions options)
    {
        var cash = expectedNav - desired.Sum();
        var upper = (options.CashBuffer + options.BandWidth) * expectedNav;
        var lower = (options.CashBuffer - options.BandWidth) * expectedNav;
        var direction = cash > upper ? 1m : cash < lower ? -1m : 0m;
        if (direction == 0m)
        {
            return;
        }

        // Room to move each asset toward its target in that direction.
        var room = new decimal[desired.Length];
        for (var i = 0; i < desired.Length; i++)
        {
            var target = positions[i].IsConstituent ? positions[i].TargetWeight * expectedNav : 0m;
            room[i] = Math.Max(0m, direction * (target - desired[i]));
        }

        var totalRoom = room.Sum();
        if (totalRoom == 0m)
        {
            return;
        }

        var needed = direction > 0m ? cash - upper : lower - cash;
        var share = Math.Min(1m, needed / totalRoom);
        for (var i = 0; i < desired.Length; i++)
        {
            desired[i] += direction * room[i] * share;
        }
    }

    /// <summary>
    /// Solves NAV' = NAV − fees(NAV'). To target, once it is known which assets are sold and which bought, fees are
    /// linear in NAV', so with g = 1 − fee: NAV' = (g·NAV − g·fee·ΣV_sold + fee·ΣV_bought) / (g − g·fee·ΣW_sold + fee·ΣW_bought):
    /// one division, exact whenever the answer is representable; only the classification is iterated. To the band edge
    /// the desired values are not linear in NAV' (assets holding still, cash kept in its band), so the fixed point
    /// itself is iterated; it contracts by about the fee rate and settles in a few steps.
    /// </summary>
    private static decimal NavAfterFees(IReadOnlyList<AssetPosition> positions, decimal nav, RebalanceMode mode, PlanOptions options, bool buysOnly)
    {
        var fee = options.FeeRate;
        if (fee == 0m || nav == 0m)
        {
            return nav;
        }

        var g = 1m - fee;
        var expected = nav;
        for (var i = 0; i < MaxFeeIterations; i++)
        {
            var desired = DesiredValues(positions, expected, mode, options, buysOnly);
            decimal next;
            if (mode == RebalanceMode.ToTarget)
            {
                decimal soldValue = 0m, soldWeight = 0m, boughtValue = 0m, boughtWeight = 0m;
                for (var k = 0; k < positions.Count; k++)
                {
                    var weight = positions[k].IsConstituent ? positions[k].TargetWeight : 0m;
                    if (desired[k] < positions[k].Value)
                    {
                        soldValue += positions[k].Value;
                        soldWeight += weight;
                    }
                    else if (desired[k] > positions[k].Value)
                    {
                        boughtValue += positions[k].Value;
                        boughtWeight += weight;
                    }
                }

                next = ((g * nav) - (g * fee * soldValue) + (fee * boughtValue)) / (g - (g * fee * soldWeight) + (fee * boughtWeight));
            }
            else
            {
                var fees = 0m;
                for (var k = 0; k < positions.Count; k++)
                {
                    var delta = desired[k] - positions[k].Value;
                    fees += delta < 0m ? -delta * fee : delta * fee / g;
                }

                next = nav - fees;
            }

            if (next == expected)
            {
                break;
            }

            expected = next;
        }

        return expected;
    }

    private static decimal PlanSells(
        PlanRequest request, IReadOnlyList<AssetPosition> positions, decimal[] desired, List<PlannedOrder> orders, List<DroppedOrder> dropped)
    {
        var proceeds = 0m;
        for (var i = 0; i < positions.Count; i++)
        {
            var position = positions[i];
            if (position.Quantity == 0m || desired[i] >= position.Value)
            {
                continue;
            }

            var exit = desired[i] == 0m;
            var wanted = exit ? position.Quantity : Math.Min(position.Quantity, (position.Value - desired[i]) / position.Price);
            var order = TrySize(request, position.Symbol, OrderSide.Sell, wanted, position.Price, orders.Count + 1, dropped, wholePosition: exit);
            if (order is not null)
            {
                orders.Add(order);
                proceeds += order.Notional - order.EstimatedFee;
            }
        }

        return proceeds;
    }

    private static void PlanBuys(
        PlanRequest request, IReadOnlyList<AssetPosition> positions, decimal[] desired, decimal budget, List<PlannedOrder> orders, List<DroppedOrder> dropped)
    {
        var feeRate = request.Options.FeeRate;
        var wants = new List<(AssetPosition Position, decimal Gross)>();
        var wantedTotal = 0m;
        for (var i = 0; i < positions.Count; i++)
        {
            if (desired[i] > positions[i].Value)
            {
                // The commission is taken from the asset received: buy enough that the net quantity reaches the target.
                var gross = (desired[i] - positions[i].Value) / (1m - feeRate);
                wants.Add((positions[i], gross));
                wantedTotal += gross;
            }
        }

        var scale = wantedTotal > budget ? budget / wantedTotal : 1m;
        var remaining = budget;
        foreach (var (position, gross) in wants)
        {
            if (scale == 0m)
            {
                dropped.Add(new DroppedOrder(
                    position.Symbol, OrderSide.Buy, 0m, 0m, DropReason.NoCashAvailable,
                    $"Buy {position.Symbol}: wanted {Format.Number(gross, 2)} but no cash is available after sells and the cash buffer"));
                continue;
            }

            var order = TrySize(request, position.Symbol, OrderSide.Buy, gross * scale / position.Price, position.Price, orders.Count + 1, dropped, remaining);
            if (order is not null)
            {
                orders.Add(order);
                remaining -= order.Notional;
            }
        }
    }

    /// <summary>
    /// Rounds a wanted quantity to the exchange's rules, or records why it cannot be sent. A buy is also kept within
    /// <paramref name="spendLimit"/>: quantity = value / price is rounded to decimal's last digit, which can be up, so a
    /// buy sized to exactly the cash left could cost a few 10^-24 more than there is.
    /// </summary>
    private static PlannedOrder? TrySize(
        PlanRequest request, string symbol, OrderSide side, decimal wanted, decimal price, int leg, List<DroppedOrder> dropped,
        decimal spendLimit = decimal.MaxValue, bool wholePosition = false)
    {
        var rules = request.SymbolRules.TryGetValue(symbol, out var found) ? found : SymbolRules.Unrestricted;
        if (rules.Closed)
        {
            dropped.Add(NotTraded(symbol, side, wanted, price, rules));
            return null;
        }

        // Without a lot step an exit sells the position exactly: truncated to 12 places it would leave dust (a buy's
        // commission in the asset gives quantities more places) that no later order could ever sell.
        var rounded = wholePosition && rules.StepSize == 0m ? wanted : rules.RoundDown(wanted);
        var quantity = FitWithin(rounded, price, spendLimit, rules);
        var byQuantity = rules.MaxQuantity is { } max && quantity > max ? rules.RoundDown(max) : (decimal?)null;

        // The maximum notional is checked at the reference price (the exchange values a market order at a recent
        // average): quantity = maximum / price can round up in its last digit, so it is fitted down as a buy is to cash.
        var byNotional = rules.MaxNotional is { } most && quantity * price > most ? FitWithin(rules.RoundDown(most / price), price, most, rules) : (decimal?)null;
        if (byQuantity is not null || byNotional is not null)
        {
            var notionalBinds = byNotional is { } n && (byQuantity is not { } q || n < q);
            var capped = notionalBinds ? byNotional!.Value : byQuantity!.Value;
            var excess = quantity - capped;
            var limit = notionalBinds ? "maximum notional of " + Format.Number(rules.MaxNotional!.Value) : "maximum of " + Format.Number(rules.MaxQuantity!.Value);
            dropped.Add(new DroppedOrder(
                symbol, side, excess, excess * price, DropReason.AboveMaxQuantity,
                $"{side} {symbol}: {Format.Number(excess)} above the exchange's {limit} per order is left for the next rebalance"));
            quantity = capped;
        }

        var notional = quantity * price;
        var reason = quantity == 0m ? DropReason.ZeroAfterLotRounding
            : quantity < rules.MinQuantity ? DropReason.BelowMinQuantity
            : notional < rules.MinNotional ? DropReason.BelowMinNotional
            : notional < request.Options.MinTradeValue ? DropReason.BelowMinTradeValue
            : (DropReason?)null;
        if (reason is { } why)
        {
            if (wanted > 0m)
            {
                dropped.Add(new DroppedOrder(symbol, side, quantity, notional, why, DropMessage(symbol, side, wanted, notional, why, rules, request.Options)));
            }

            return null;
        }

        if (wholePosition && rounded < wanted)
        {
            // An exit on a lot step leaves what is below the step: the exchange cannot sell it, so it is reported now,
            // not found as an unexplained holding later.
            var dust = wanted - rounded;
            dropped.Add(new DroppedOrder(
                symbol, side, dust, dust * price, DropReason.ZeroAfterLotRounding,
                $"{side} {symbol}: {Format.Number(dust)} left of the exit rounds down to 0 at lot step {Format.Number(rules.StepSize)} and stays as dust"));
        }

        var fee = FeeModel.ExpectedFill(symbol, side, quantity, price, request.Options.FeeRate).FeeValue;
        return new PlannedOrder(leg, symbol, side, quantity, price, notional, fee);
    }

    /// <summary>
    /// Lowers a quantity by a lot step, or by one unit of its last digit when there is no step, until it costs at most
    /// the limit. (One unit, not the digit: a whole number's last digit is in the units, and 0.5 less its digit is 0.)
    /// </summary>
    private static decimal FitWithin(decimal quantity, decimal price, decimal limit, SymbolRules rules)
    {
        while (quantity > 0m && quantity * price > limit)
        {
            quantity = rules.StepSize > 0m
                ? quantity - rules.StepSize
                : DecimalMath.Normalize(quantity - DecimalMath.Unit(DecimalMath.Scale(quantity)));
        }

        return Math.Max(quantity, 0m);
    }

    private static string DropMessage(
        string symbol, OrderSide side, decimal wanted, decimal notional, DropReason reason, SymbolRules rules, PlanOptions options) => reason switch
    {
        DropReason.ZeroAfterLotRounding => $"{side} {symbol}: {Format.Number(wanted)} rounds down to 0 at lot step {Format.Number(rules.StepSize)}",
        DropReason.BelowMinQuantity => $"{side} {symbol}: quantity below the exchange minimum {Format.Number(rules.MinQuantity)}",
        DropReason.BelowMinNotional => $"{side} {symbol}: value {Format.Number(notional, 2)} below the exchange minimum notional {Format.Number(rules.MinNotional, 2)}",
        _ => $"{side} {symbol}: value {Format.Number(notional, 2)} below minTradeValue {Format.Number(options.MinTradeValue, 2)}",
    };
}
