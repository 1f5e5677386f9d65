using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Decisions;

/// <summary>
/// Decides whether a fund rebalances now. Drift "exceeds" a threshold only when strictly greater, so a fund
/// sitting exactly on its threshold does not trade. The clock is an input: the Engine never reads one.
/// </summary>
public static class RebalanceDecider
{
    public static EngineResult<RebalanceDecision> Decide(
        PortfolioValuation valuation,
        RebalancePolicy policy,
        RebalanceHistory history,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(valuation);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(history);

        var error = PolicyValidation.Check(policy);
        if (error is not null)
        {
            return error;
        }

        if (valuation.Nav <= 0m)
        {
            return new RebalanceDecision(false, [], new RebalanceReason(ReasonKind.EmptyFund, "the fund is worth nothing: no capital to invest"));
        }

        var reasons = new List<RebalanceReason>();
        var isFirstFunding = valuation.Positions.All(p => p.Quantity == 0m);
        if (isFirstFunding)
        {
            reasons.Add(new RebalanceReason(
                ReasonKind.FirstFunding, $"first funding: {Format.Number(valuation.Cash, 2)} in cash to invest", Value: valuation.Cash));
        }

        var constituentsChanged = ConstituentChange(valuation, history);
        if (constituentsChanged is not null)
        {
            reasons.Add(constituentsChanged);
        }

        if (!isFirstFunding)
        {
            AddDriftReasons(valuation, policy, reasons);
        }

        var sinceLast = history.LastRebalanceAt is { } last ? now - last : (TimeSpan?)null;
        if (sinceLast is { } elapsed && policy.MaxInterval is { } max && elapsed >= max)
        {
            reasons.Add(new RebalanceReason(
                ReasonKind.MaxIntervalElapsed,
                $"{Format.Duration(elapsed)} since the last rebalance reached maxInterval {Format.Duration(max)}",
                Value: (decimal)elapsed.TotalSeconds,
                Threshold: (decimal)max.TotalSeconds));
        }

        if (reasons.Count > 0 && constituentsChanged is null && sinceLast is { } sinceLastRebalance
            && policy.MinInterval is { } min && sinceLastRebalance < min)
        {
            var heldBack = new RebalanceReason(
                ReasonKind.MinIntervalNotElapsed,
                $"only {Format.Duration(sinceLastRebalance)} since the last rebalance, minInterval is {Format.Duration(min)}",
                Value: (decimal)sinceLastRebalance.TotalSeconds,
                Threshold: (decimal)min.TotalSeconds);
            return new RebalanceDecision(false, reasons, heldBack);
        }

        return new RebalanceDecision(reasons.Count > 0, reasons, null);
    }

    private static RebalanceReason? ConstituentChange(PortfolioValuation valuation, RebalanceHistory history)
    {
        if (history.ConstituentsAtLastRebalance is not { } before)
        {
            return null;
        }

        var now = valuation.Positions.Where(p => p.IsConstituent).Select(p => p.Symbol).ToHashSet(StringComparer.Ordinal);
        var previous = before.ToHashSet(StringComparer.Ordinal);
        var added = now.Except(previous).Order(StringComparer.Ordinal).ToList();
        var removed = previous.Except(now).Order(StringComparer.Ordinal).ToList();
        if (added.Count == 0 && removed.Count == 0)
        {
            return null;
        }

        var parts = new List<string>();
        if (added.Count > 0)
        {
            parts.Add("added " + string.Join(", ", added));
        }

        if (removed.Count > 0)
        {
            parts.Add("removed " + string.Join(", ", removed));
        }

        return new RebalanceReason(ReasonKind.ConstituentsChanged, "constituents changed: " + string.Join("; ", parts));
    }

    private static void AddDriftReasons(PortfolioValuation valuation, RebalancePolicy policy, List<RebalanceReason> reasons)
    {
        var drifting = valuation.Positions
            .Where(p => Math.Abs(p.Drift) > policy.AssetThreshold)
            .OrderByDescending(p => Math.Abs(p.Drift))
            .ThenBy(p => p.Symbol, StringComparer.Ordinal);
        foreach (var position in drifting)
        {
            reasons.Add(new RebalanceReason(
                ReasonKind.AssetDrift,
                $"{position.Symbol} drift {Format.PercentagePoints(position.Drift)} exceeds threshold {Format.PercentagePoints(policy.AssetThreshold).TrimStart('+')}",
                position.Symbol,
                position.Drift,
                policy.AssetThreshold));
        }

        if (policy.TotalThreshold is { } total && valuation.TotalDrift > total)
        {
            reasons.Add(new RebalanceReason(
                ReasonKind.TotalDrift,
                $"total drift {Format.Percent(valuation.TotalDrift)} exceeds totalThreshold {Format.Percent(total)}",
                Value: valuation.TotalDrift,
                Threshold: total));
        }
    }
}
