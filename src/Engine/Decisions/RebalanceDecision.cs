namespace CryptoIndex.Engine.Decisions;

/// <summary>Why a rebalance fires, or why one that would fire is held back.</summary>
public enum ReasonKind
{
    /// <summary>The fund holds only cash: invest it.</summary>
    FirstFunding,

    /// <summary>Constituents were added or removed since the last rebalance.</summary>
    ConstituentsChanged,

    /// <summary>An asset drifted beyond the per-asset threshold.</summary>
    AssetDrift,

    /// <summary>Total drift exceeds the total threshold.</summary>
    TotalDrift,

    /// <summary>The maximum interval since the last rebalance has passed.</summary>
    MaxIntervalElapsed,

    /// <summary>Held back: the minimum interval since the last rebalance has not passed.</summary>
    MinIntervalNotElapsed,

    /// <summary>Held back: the fund is worth nothing, so there is nothing to trade.</summary>
    EmptyFund,
}

/// <summary>
/// One reason with its numbers: the asset (for drift), the measured value and the threshold it was compared with
/// (fractions for weights, seconds for intervals), and a sentence for status and events.
/// </summary>
public sealed record RebalanceReason(ReasonKind Kind, string Message, string? Symbol = null, decimal? Value = null, decimal? Threshold = null);

/// <summary>
/// The decision and every reason that fired. When <see cref="HeldBackBy"/> is set, reasons fired but the rebalance
/// waits; <see cref="ShouldRebalance"/> is then false.
/// </summary>
public sealed record RebalanceDecision(bool ShouldRebalance, IReadOnlyList<RebalanceReason> Reasons, RebalanceReason? HeldBackBy)
{
    /// <summary>The reasons as one line, for a condition message or an event.</summary>
    public string Summary
    {
        get
        {
            var fired = Reasons.Count == 0 ? "within thresholds" : string.Join("; ", Reasons.Select(r => r.Message));
            return HeldBackBy is null ? fired : $"{fired}; held back: {HeldBackBy.Message}";
        }
    }
}
