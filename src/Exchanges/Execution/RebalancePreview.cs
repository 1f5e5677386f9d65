using System.Collections.Immutable;
using CryptoIndex.Engine;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>
/// What <see cref="RebalanceExecutor"/> would send for a rebalance, without an exchange: the same plan, the same steps
/// between the sells and the buys (<see cref="RebalanceSteps.PlanBuys"/>: buys planned again on the cash the sells leave
/// and fitted to it with <see cref="ExecutorOptions.BuyHeadroom"/>) and the same last check before each order
/// (<see cref="RebalanceSteps.BelowMinimum"/>), assuming every sell fills in full at its reference price with the fee
/// the plan expects. A dry run shows this, so it lists the orders a real run would send on the same prices.
/// </summary>
public static class RebalancePreview
{
    private const string PreviewFund = "preview";

    /// <summary>
    /// The orders that would be sent (sells, then buys, in execution order) and those not sent with why, or the Engine's
    /// error when no plan can be made.
    /// </summary>
    public static EngineResult<TradePlan> Of(Holdings holdings, RebalanceInputs inputs, ExecutorOptions options)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        var planned = TradePlanner.Plan(RebalanceSteps.Request(holdings, inputs));
        if (!planned.IsSuccess || planned.Value.Orders.Count == 0)
        {
            return planned; // nothing would be recorded or sent: the plan says why
        }

        var plan = planned.Value;
        var record = new RebalanceRecord(
            PreviewFund, 1, PreviewFund, RebalancePhase.Selling, 1, holdings, inputs,
            plan.Orders.Select(o => LegRecord.Planned(PreviewFund, 1, o.Leg, o.Symbol, o.Side, o.Quantity, o.Price)).ToImmutableList(),
            plan.Dropped.ToImmutableList(), DateTimeOffset.UnixEpoch, null);
        var skipped = new List<DroppedOrder>();
        while (record.Phase == RebalancePhase.Selling)
        {
            foreach (var leg in record.Legs.Where(l => l.Side == OrderSide.Sell && l.State == LegState.Pending).OrderBy(l => l.Leg).ToList())
            {
                record = record.WithLeg(Send(record, leg, inputs, skipped));
            }

            record = RebalanceSteps.PlanBuys(record, options);
        }

        foreach (var leg in record.Legs.Where(l => l.Side == OrderSide.Buy && l.State == LegState.Pending).OrderBy(l => l.Leg).ToList())
        {
            record = record.WithLeg(Send(record, leg, inputs, skipped));
        }

        var orders = record.Legs.Where(l => l.State == LegState.Completed)
            .OrderBy(l => l.Side == OrderSide.Buy).ThenBy(l => l.Leg)
            .Select(l => new PlannedOrder(l.Leg, l.Symbol, l.Side, l.Quantity, l.ReferencePrice, l.Quantity * l.ReferencePrice, l.Quantity * l.ReferencePrice * inputs.Options.FeeRate))
            .ToList();
        var expected = record.Holdings();
        return new TradePlan(
            plan.Nav,
            orders,
            [.. record.Dropped, .. skipped],
            orders.Sum(o => o.Notional),
            orders.Sum(o => o.EstimatedFee),
            expected.IsSuccess ? expected.Value : plan.ExpectedHoldings,
            plan.ResidualDrift);
    }

    /// <summary>The executor's last check, then a fill at the reference price (the leg as the executor would record it).</summary>
    private static LegRecord Send(RebalanceRecord record, LegRecord leg, RebalanceInputs inputs, List<DroppedOrder> skipped)
    {
        leg = RebalanceSteps.FitToBooks(record, leg);
        if (RebalanceSteps.BelowMinimum(inputs, leg) is { } why)
        {
            skipped.Add(new DroppedOrder(leg.Symbol, leg.Side, leg.Quantity, leg.Quantity * leg.ReferencePrice, Reason(inputs, leg), why));
            return leg with { State = LegState.Skipped, Reason = why };
        }

        var fill = FeeModel.ExpectedFill(leg.Symbol, leg.Side, leg.Quantity, leg.ReferencePrice, inputs.Options.FeeRate);
        return leg with { State = LegState.Completed, ExecutedQuantity = leg.Quantity, Fills = [fill] };
    }

    private static DropReason Reason(RebalanceInputs inputs, LegRecord leg)
    {
        var rules = inputs.SymbolRules.TryGetValue(leg.Symbol, out var found) ? found : SymbolRules.Unrestricted;
        return leg.Quantity <= 0m || (rules.StepSize > 0m && rules.RoundDown(leg.Quantity) != leg.Quantity) ? DropReason.ZeroAfterLotRounding
            : leg.Quantity < rules.MinQuantity ? DropReason.BelowMinQuantity
            : DropReason.BelowMinNotional;
    }
}
