using System.Collections.Immutable;
using CryptoIndex.Engine;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>
/// The pure steps of a rebalance between exchange calls: planning again once the sells are final, and the last check
/// of a leg before it is sent. Functions of the record only, so a resumed rebalance makes the same decisions.
/// </summary>
internal static class RebalanceSteps
{
    public static PlanRequest Request(Holdings holdings, RebalanceInputs inputs) =>
        new(holdings, inputs.Prices, inputs.Targets, inputs.SymbolRules, inputs.Options);

    /// <summary>
    /// After the sells: plan again on the holdings the fills produced. Sells that are still wanted (a partial fill, a
    /// refusal) get one more round; after the last round the buys are planned without them
    /// (<see cref="PlanRequest.BuysOnly"/>: on the cash there is, less the cash buffer). The provisional buys are
    /// resized to the plan's buys (same leg, same id), new buys are appended and buys no longer wanted are skipped.
    /// Recorded before any buy is sent.
    /// </summary>
    public static RebalanceRecord PlanBuys(RebalanceRecord record, ExecutorOptions options)
    {
        var pendingBuys = record.Legs.Where(l => l.Side == OrderSide.Buy && l.State == LegState.Pending).ToList();
        var holdings = record.Holdings();
        if (!holdings.IsSuccess)
        {
            // Fills that do not apply to the ledger mean the record and the exchange disagree: nothing more is sent. The
            // rebalance ends with its buys skipped, and its record, whose fills do not fit, stalls the fund for a person
            // (the reconciler's LedgerMismatch), instead of throwing here at every call with the fund left in Selling.
            return SkipBuys(record, pendingBuys, LedgerMismatch + holdings.Error.Message);
        }

        var plan = TradePlanner.Plan(Request(holdings.Value, record.Inputs));
        if (!plan.IsSuccess)
        {
            return SkipBuys(record, pendingBuys, "planning the buys failed: " + plan.Error.Message);
        }

        if (plan.Value.Sells.Any() && record.SellRounds < options.MaxSellRounds)
        {
            var next = record.NextLeg;
            foreach (var sell in plan.Value.Sells)
            {
                record = record.WithLeg(LegRecord.Planned(record.FundUid, record.Sequence, next++, sell.Symbol, sell.Side, sell.Quantity, sell.Price));
            }

            return record with { SellRounds = record.SellRounds + 1 };
        }

        if (plan.Value.Sells.Any())
        {
            // The last sell round has run and the plan still wants sells (refused, expired, partly filled): they are not
            // sent this time. Their proceeds were in the buys' budget; fitted to the cash alone those buys would spend
            // the cash buffer too. The Engine plans the buys again, on the cash there is.
            plan = TradePlanner.Plan(Request(holdings.Value, record.Inputs) with { BuysOnly = true });
            if (!plan.IsSuccess)
            {
                return SkipBuys(record, pendingBuys, "planning the buys failed: " + plan.Error.Message);
            }
        }

        var nextLeg = record.NextLeg;
        var wanted = FitToCash(plan.Value.Buys.ToList(), holdings.Value.Cash, record.Inputs, options.BuyHeadroom).ToDictionary(b => b.Symbol, StringComparer.Ordinal);
        foreach (var leg in pendingBuys)
        {
            record = record.WithLeg(wanted.Remove(leg.Symbol, out var buy)
                ? leg with { Quantity = buy.Quantity, ReferencePrice = buy.Price }
                : leg with { State = LegState.Skipped, Reason = SkipReason(plan.Value, leg.Symbol) });
        }

        foreach (var buy in wanted.Values.OrderBy(b => b.Leg))
        {
            record = record.WithLeg(LegRecord.Planned(record.FundUid, record.Sequence, nextLeg++, buy.Symbol, buy.Side, buy.Quantity, buy.Price));
        }

        var dropped = record.Dropped.Where(d => d.Side == OrderSide.Sell).Concat(plan.Value.Dropped.Where(d => d.Side == OrderSide.Buy));
        return record with { Phase = RebalancePhase.Buying, Dropped = dropped.ToImmutableList() };
    }

    /// <summary>How a buy skipped because the recorded fills do not fit the holdings starts its reason.</summary>
    public const string LedgerMismatch = "the recorded fills do not fit the fund's holdings: ";

    private static RebalanceRecord SkipBuys(RebalanceRecord record, List<LegRecord> pendingBuys, string reason)
    {
        foreach (var leg in pendingBuys)
        {
            record = record.WithLeg(leg with { State = LegState.Skipped, Reason = reason });
        }

        return record with { Phase = RebalancePhase.Buying };
    }

    /// <summary>
    /// Scales the buys down, on their lot steps, when they would not fit the cash if every one filled
    /// <see cref="ExecutorOptions.BuyHeadroom"/> above its reference price. A buy this makes too small is skipped
    /// before sending (<see cref="BelowMinimum"/>).
    /// </summary>
    private static List<PlannedOrder> FitToCash(List<PlannedOrder> buys, decimal cash, RebalanceInputs inputs, decimal headroom)
    {
        var cost = buys.Sum(b => b.Notional) * (1m + headroom);
        if (cost <= cash || cost == 0m)
        {
            return buys;
        }

        var scale = cash / cost;
        return buys.Select(b =>
        {
            var rules = inputs.SymbolRules.TryGetValue(b.Symbol, out var found) ? found : SymbolRules.Unrestricted;
            var quantity = rules.RoundDown(b.Quantity * scale);
            return b with { Quantity = quantity, Notional = quantity * b.Price };
        }).ToList();
    }

    private static string SkipReason(TradePlan plan, string symbol) =>
        plan.Dropped.FirstOrDefault(d => d.Side == OrderSide.Buy && string.Equals(d.Symbol, symbol, StringComparison.Ordinal)) is { } dropped
            ? "resized after the sells: " + dropped.Message
            : "not needed after the sells";

    /// <summary>
    /// A sell never sent is cut to what the books hold of its asset now. The plan was made from the holdings at the
    /// start; commissions that earlier legs paid in this asset (Binance's BNB fee discount, taken from the fund's BNB)
    /// leave less, and the exchange refuses an order larger than the balance as a whole (-2010). A leg that was sent
    /// keeps its quantity: its earlier attempt may yet execute as it was sent.
    /// </summary>
    public static LegRecord FitToBooks(RebalanceRecord record, LegRecord leg)
    {
        if (leg.Side != OrderSide.Sell || leg.State != LegState.Pending || record.Holdings() is not { IsSuccess: true } holdings)
        {
            return leg;
        }

        var held = holdings.Value.QuantityOf(leg.Symbol);
        if (leg.Quantity <= held)
        {
            return leg;
        }

        var rules = record.Inputs.SymbolRules.TryGetValue(leg.Symbol, out var found) ? found : SymbolRules.Unrestricted;
        return leg with { Quantity = rules.StepSize == 0m ? held : rules.RoundDown(held) };
    }

    /// <summary>
    /// The planner never plans below the exchange's minimums; this re-checks right before sending. Without a lot step
    /// any quantity is one (an exit sells its position to the last unit, beyond the 12 places buys are cut to).
    /// </summary>
    public static string? BelowMinimum(RebalanceInputs inputs, LegRecord leg)
    {
        var rules = inputs.SymbolRules.TryGetValue(leg.Symbol, out var found) ? found : SymbolRules.Unrestricted;
        var notional = leg.Quantity * leg.ReferencePrice;
        return leg.Quantity <= 0m ? "quantity is 0"
            : rules.StepSize > 0m && rules.RoundDown(leg.Quantity) != leg.Quantity ? $"quantity {Format.Number(leg.Quantity)} is not a multiple of the lot step {Format.Number(rules.StepSize)}"
            : leg.Quantity < rules.MinQuantity ? $"quantity {Format.Number(leg.Quantity)} is below the exchange minimum {Format.Number(rules.MinQuantity)}"
            : notional < rules.MinNotional ? $"value {Format.Number(notional, 2)} is below the exchange minimum notional {Format.Number(rules.MinNotional, 2)}"
            : null;
    }
}
