using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Planning;

/// <summary>
/// Plans the market orders that bring a fund to its targets.
/// <list type="number">
/// <item>Desired values are set against the NAV that will remain after fees (a fixed point: fees depend on how
/// much is traded, which depends on NAV, solved in closed form), so that applying the plan and planning again
/// trades nothing but dust.</item>
/// <item>Sells first: overweight assets down to their desired value, assets that left the index entirely.</item>
/// <item>Buys spend at most the cash plus the sells' net proceeds, less the cash buffer; when that is short of
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

        var valuation = Valuation.Evaluate(request.Holdings, request.Prices, request.Targets, request.Options.CashBuffer);
        if (!valuation.IsSuccess)
        {
            return valuation.Error;
        }

        var nav = valuation.Value.Nav;
        var positions = valuation.Value.Positions;
        var mode = request.Holdings.HasNoPositions ? RebalanceMode.ToTarget : request.Options.Mode;
        var expectedNav = NavAfterFees(positions, nav, mode, request.Options);

        var orders = new List<PlannedOrder>();
        var dropped = new List<DroppedOrder>();
        var proceeds = PlanSells(request, positions, expectedNav, mode, orders, dropped);
        var budget = Math.Max(0m, request.Holdings.Cash + proceeds - (request.Options.CashBuffer * expectedNav));
        PlanBuys(request, positions, expectedNav, mode, budget, orders, dropped);

        var expected = FundLedger.ApplyAll(request.Holdings, orders.Select(o => FeeModel.ExpectedFill(o, request.Options.FeeRate)));
        if (!expected.IsSuccess)
        {
            // The sizing above never over-spends or over-sells; reaching this is a bug, not bad input.
            throw new InvalidOperationException("The plan does not apply to its own holdings: " + expected.Error);
        }

        var residual = Valuation.Evaluate(expected.Value, request.Prices, request.Targets, request.Options.CashBuffer).Value.TotalDrift;
        return new TradePlan(
            nav,
            orders,
            dropped,
            orders.Sum(o => o.Notional),
            orders.Sum(o => o.EstimatedFee),
            expected.Value,
            residual);
    }

    /// <summary>
    /// The value the fund should hold of an asset once the plan is done, for a post-trade NAV of
    /// <paramref name="expectedNav"/>: its desired weight × NAV, or its current value when it holds still.
    /// </summary>
    private static decimal DesiredValue(AssetPosition position, decimal expectedNav, RebalanceMode mode, decimal band) =>
        DesiredWeight(position, expectedNav, mode, band) is { } weight ? weight * expectedNav : position.Value;

    /// <summary>
    /// The weight an asset should end at, or null when it holds still. An asset outside the index goes to 0; in
    /// band-edge mode an asset inside its band holds still and one outside moves to the nearest edge. The band is
    /// judged against the post-fee NAV too: fees shrink NAV, so an asset just inside its band before trading could
    /// otherwise end just outside it.
    /// </summary>
    private static decimal? DesiredWeight(AssetPosition position, decimal expectedNav, RebalanceMode mode, decimal band)
    {
        if (!position.IsConstituent)
        {
            return 0m;
        }

        if (mode == RebalanceMode.ToTarget)
        {
            return position.TargetWeight;
        }

        var current = expectedNav > 0m ? position.Value / expectedNav : 0m;
        var upper = position.TargetWeight + band;
        var lower = Math.Max(0m, position.TargetWeight - band);
        return current > upper ? upper : current < lower ? lower : null;
    }

    /// <summary>
    /// Solves NAV' = NAV − fees(NAV'). Once it is known which assets are sold and which bought, fees are linear in
    /// NAV', so with g = 1 − fee: NAV' = (g·NAV − g·fee·ΣV_sold + fee·ΣV_bought) / (g − g·fee·ΣW_sold + fee·ΣW_bought),
    /// one division, exact whenever the answer is representable. Only the classification is iterated, until stable.
    /// </summary>
    private static decimal NavAfterFees(IReadOnlyList<AssetPosition> positions, decimal nav, RebalanceMode mode, PlanOptions options)
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
            decimal soldValue = 0m, soldWeight = 0m, boughtValue = 0m, boughtWeight = 0m;
            foreach (var position in positions)
            {
                if (DesiredWeight(position, expected, mode, options.BandWidth) is not { } weight)
                {
                    continue;
                }

                var desired = weight * expected;
                if (desired < position.Value)
                {
                    soldValue += position.Value;
                    soldWeight += weight;
                }
                else if (desired > position.Value)
                {
                    boughtValue += position.Value;
                    boughtWeight += weight;
                }
            }

            var next = ((g * nav) - (g * fee * soldValue) + (fee * boughtValue)) / (g - (g * fee * soldWeight) + (fee * boughtWeight));
            if (next == expected)
            {
                break;
            }

            expected = next;
        }

        return expected;
    }

    private static decimal PlanSells(
        PlanRequest request,
        IReadOnlyList<AssetPosition> positions,
        decimal expectedNav,
        RebalanceMode mode,
        List<PlannedOrder> orders,
        List<DroppedOrder> dropped)
    {
        var proceeds = 0m;
        foreach (var position in positions)
        {
            var desired = DesiredValue(position, expectedNav, mode, request.Options.BandWidth);
            if (position.Quantity == 0m || desired >= position.Value)
            {
                continue;
            }

            var wanted = desired == 0m ? position.Quantity : Math.Min(position.Quantity, (position.Value - desired) / position.Price);
            var order = TrySize(request, position.Symbol, OrderSide.Sell, wanted, position.Price, orders.Count + 1, dropped);
            if (order is not null)
            {
                orders.Add(order);
                proceeds += order.Notional - order.EstimatedFee;
            }
        }

        return proceeds;
    }

    private static void PlanBuys(
        PlanRequest request,
        IReadOnlyList<AssetPosition> positions,
        decimal expectedNav,
        RebalanceMode mode,
        decimal budget,
        List<PlannedOrder> orders,
        List<DroppedOrder> dropped)
    {
        var feeRate = request.Options.FeeRate;
        var wants = new List<(AssetPosition Position, decimal Gross)>();
        var wantedTotal = 0m;
        foreach (var position in positions)
        {
            var desired = DesiredValue(position, expectedNav, mode, request.Options.BandWidth);
            if (desired > position.Value)
            {
                // The commission is taken from the asset received: buy enough that the net quantity reaches the target.
                var gross = (desired - position.Value) / (1m - feeRate);
                wants.Add((position, gross));
                wantedTotal += gross;
            }
        }

        var scale = wantedTotal > budget ? budget / wantedTotal : 1m;
        foreach (var (position, gross) in wants)
        {
            if (scale == 0m)
            {
                dropped.Add(new DroppedOrder(
                    position.Symbol, OrderSide.Buy, 0m, 0m, DropReason.NoCashAvailable,
                    $"Buy {position.Symbol}: wanted {Format.Number(gross, 2)} but no cash is available after sells and the cash buffer"));
                continue;
            }

            var order = TrySize(request, position.Symbol, OrderSide.Buy, gross * scale / position.Price, position.Price, orders.Count + 1, dropped);
            if (order is not null)
            {
                orders.Add(order);
            }
        }
    }

    /// <summary>Rounds a wanted quantity to the exchange's rules, or records why it cannot be sent.</summary>
    private static PlannedOrder? TrySize(
        PlanRequest request, string symbol, OrderSide side, decimal wanted, decimal price, int leg, List<DroppedOrder> dropped)
    {
        var rules = request.SymbolRules.TryGetValue(symbol, out var found) ? found : SymbolRules.Unrestricted;
        var quantity = rules.RoundDown(wanted);
        if (rules.MaxQuantity is { } max && quantity > max)
        {
            var capped = rules.RoundDown(max);
            var excess = quantity - capped;
            dropped.Add(new DroppedOrder(
                symbol, side, excess, excess * price, DropReason.AboveMaxQuantity,
                $"{side} {symbol}: {Format.Number(excess)} above the exchange's maximum of {Format.Number(max)} per order is left for the next rebalance"));
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

        var fee = FeeModel.ExpectedFill(symbol, side, quantity, price, request.Options.FeeRate).FeeValue;
        return new PlannedOrder(leg, symbol, side, quantity, price, notional, fee);
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
