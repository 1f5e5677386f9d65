namespace CryptoIndex.Engine.Decisions;

/// <summary>Checks of a rebalance policy, each naming the spec field it rejects.</summary>
public static class PolicyValidation
{
    public static EngineError? Check(RebalancePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.AssetThreshold is < 0m or > 1m)
        {
            return new EngineError(
                Rules.ThresholdOutOfRange, "rebalance.threshold", $"threshold {Format.PercentagePoints(policy.AssetThreshold)} must be within 0..100 percentage points");
        }

        if (policy.TotalThreshold is { } total && total is < 0m or > 1m)
        {
            return new EngineError(
                Rules.ThresholdOutOfRange, "rebalance.totalThreshold", $"totalThreshold {Format.Percent(total)} must be within 0%..100%");
        }

        if (policy.MaxInterval is { } max && max <= TimeSpan.Zero)
        {
            return new EngineError(Rules.IntervalOutOfRange, "rebalance.maxInterval", $"maxInterval {Format.Duration(max)} must be greater than 0");
        }

        if (policy.MinInterval is { } min && min < TimeSpan.Zero)
        {
            return new EngineError(Rules.IntervalOutOfRange, "rebalance.minInterval", $"minInterval {Format.Duration(min)} cannot be negative");
        }

        return policy is { MinInterval: { } lower, MaxInterval: { } upper } && lower > upper
            ? new EngineError(
                Rules.MinIntervalAboveMaxInterval,
                "rebalance.minInterval",
                $"minInterval {Format.Duration(lower)} is longer than maxInterval {Format.Duration(upper)}")
            : null;
    }
}
