using System.Collections.Immutable;
using System.Globalization;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Operator.Api;
using ExecutorOptions = CryptoIndex.Exchanges.Execution.ExecutorOptions;
using RebalanceInputs = CryptoIndex.Exchanges.Execution.RebalanceInputs;
using RebalancePreview = CryptoIndex.Exchanges.Execution.RebalancePreview;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// What a <c>dryRun</c> fund would trade: the Engine's plan at the evaluation's prices and targets, as the
/// <c>status.rebalances</c> entry with phase DryRun. Nothing is recorded for execution and nothing is sent.
/// </summary>
public static partial class DryRunPlan
{
    public const string Phase = "DryRun";
    public const string Id = "dry-run";

    /// <summary>How a plan made without the exchange's symbol rules says so, before why.</summary>
    public const string WithoutRules = "planned without the exchange's rules (lot step, minimum and maximum quantity, minimum notional), which could not be read: ";

    /// <summary>
    /// The plan as a rebalance entry: what the executor would send (<see cref="RebalancePreview"/>) with
    /// <paramref name="rules"/>, the symbol rules a real rebalance would plan with, and its buy headroom; without them
    /// (<paramref name="rulesUnavailable"/> says why) the untradable assets' rules only, and the message says so. The
    /// previous entry is returned unchanged when the plan is the same, so a fund whose prices do not move costs no
    /// status write; <paramref name="now"/> only stamps a new plan.
    /// </summary>
    public static RebalanceRecord Describe(
        Holdings holdings, FundEvaluation evaluation, PlanOptions options, string reason, RebalanceRecord? previous, DateTimeOffset now,
        IReadOnlyDictionary<string, SymbolRules>? rules = null, decimal buyHeadroom = 0m, string? rulesUnavailable = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        var prices = evaluation.Valuation!.Positions.ToDictionary(p => p.Symbol, p => p.Price, StringComparer.Ordinal);
        var planRules = new Dictionary<string, SymbolRules>(rules ?? new Dictionary<string, SymbolRules>(), StringComparer.Ordinal);
        foreach (var (asset, why) in evaluation.Untradable ?? new Dictionary<string, string>())
        {
            planRules[asset] = SymbolRules.NotTradable(why);
        }

        var inputs = new RebalanceInputs(
            evaluation.Targets!.ToImmutableSortedDictionary(StringComparer.Ordinal),
            prices.ToImmutableSortedDictionary(StringComparer.Ordinal),
            planRules.ToImmutableSortedDictionary(StringComparer.Ordinal),
            options);
        var planned = RebalancePreview.Of(holdings, inputs, new ExecutorOptions(BuyHeadroom: buyHeadroom));
        var note = rulesUnavailable is null ? string.Empty : "; " + WithoutRules + rulesUnavailable + "; a real run would wait for them, and the plan is made again with them once they can be read";
        var entry = new RebalanceRecord
        {
            Id = Id,
            Reason = reason,
            Phase = Phase,
            Turnover = planned.IsSuccess ? StatusText.Money(planned.Value.Turnover) : null,
            Fees = planned.IsSuccess ? StatusText.Money(planned.Value.EstimatedFees) : null,
            Message = (planned.IsSuccess ? Orders(planned.Value) : $"no plan: {planned.Error.Field}: {planned.Error.Message}") + note,
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
