namespace CryptoIndex.Engine.Decisions;

/// <summary>
/// When a fund rebalances. Thresholds are fractions: <paramref name="AssetThreshold"/> 0.05 fires when any asset is
/// more than 5 percentage points from its target; <paramref name="TotalThreshold"/> fires on total drift
/// (½·Σ|w−t|). <paramref name="MaxInterval"/> forces a rebalance once that long has passed since the last one;
/// inside <paramref name="MinInterval"/> no rebalance happens unless the constituent set changed.
/// </summary>
public sealed record RebalancePolicy(
    decimal AssetThreshold,
    decimal? TotalThreshold = null,
    TimeSpan? MaxInterval = null,
    TimeSpan? MinInterval = null);

/// <summary>What the fund remembers of its last rebalance; both null for a fund that never rebalanced.</summary>
public sealed record RebalanceHistory(DateTimeOffset? LastRebalanceAt, IReadOnlyCollection<string>? ConstituentsAtLastRebalance)
{
    public static RebalanceHistory None { get; } = new(null, null);
}
