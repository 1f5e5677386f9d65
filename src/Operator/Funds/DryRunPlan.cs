using System.Globalization;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// What a <c>dryRun</c> fund would trade: the Engine's plan at the evaluation's prices and targets, as the
/// <c>status.rebalances</c> entry with phase DryRun. Nothing is recorded for execution and nothing is sent.
/// </summary>
public static partial class DryRunPlan
{
    public const string Phase = "DryRun";
    public const string Id = "dry-run";

    /// <summary>
    /// The plan as a rebalance entry. The previous entry is returned unchanged when the plan is the same, so a fund
    /// whose prices do not move costs no status write; <paramref name="now"/> only stamps a new plan.
    /// </summary>
    public static RebalanceRecord Describe(
        Holdings holdings, FundEvaluation evaluation, PlanOptions options, string reason, RebalanceRecord? previous, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var prices = evaluation.Valuation!.Positions.ToDictionary(p => p.Symbol, p => p.Price, StringComparer.Ordinal);
        var rules = (evaluation.Untradable ?? new Dictionary<string, string>()).ToDictionary(u => u.Key, u => SymbolRules.NotTradable(u.Value), StringComparer.Ordinal);
        var planned = TradePlanner.Plan(new PlanRequest(holdings, prices, evaluation.Targets!, rules, options));
        var entry = new RebalanceRecord
        {
            Id = Id,
            Reason = reason,
            Phase = Phase,
            Turnover = planned.IsSuccess ? StatusText.Money(planned.Value.Turnover) : null,
            Fees = planned.IsSuccess ? StatusText.Money(planned.Value.EstimatedFees) : null,
            Message = planned.IsSuccess ? Orders(planned.Value) : $"no plan: {planned.Error.Field}: {planned.Error.Message}",
        };
        var same = previous is not null && previous.Reason == entry.Reason && previous.Message == entry.Message &&
                   previous.Turnover == entry.Turnover && previous.Fees == entry.Fees;
        if (same)
        {
            return previous!;
        }

        entry.StartedAt = StatusText.Time(now);
        return entry;
    }

    /// <summary>
    /// Whether <paramref name="plan"/> is news worth an Event against <paramref name="previous"/>: other orders (sides
    /// or assets) or other reasons. Quantities and numbers that move with every price tick are not: the status entry
    /// shows them, an Event per tick would be noise.
    /// </summary>
    public static bool IsNew(RebalanceRecord plan, RebalanceRecord? previous)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return previous is null || Shape(plan.Message) != Shape(previous.Message) || Shape(plan.Reason) != Shape(previous.Reason);
    }

    private static string Shape(string? text) => Numbers().Replace(text ?? string.Empty, "#");

    [System.Text.RegularExpressions.GeneratedRegex(@"[-+]?\d+(\.\d+)?")]
    private static partial System.Text.RegularExpressions.Regex Numbers();

    /// <summary>"would sell 0.1 BTC, buy 2 ETH; nothing was sent" (sells first, as they would run).</summary>
    private static string Orders(TradePlan plan)
    {
        var orders = plan.Sells.Concat(plan.Buys)
            .Select(o => string.Create(CultureInfo.InvariantCulture, $"{(o.Side == OrderSide.Sell ? "sell" : "buy")} {StatusText.Quantity(o.Quantity)} {o.Symbol}"))
            .ToList();
        return (orders.Count == 0 ? "would trade nothing" : "would " + string.Join(", ", orders)) + StatusText.NotSent(plan.Dropped) + "; nothing was sent";
    }
}
