namespace CryptoIndex.Engine.Decisions;

/// <summary>Checks of a rebalance policy, each naming the spec field it rejects.</summary>
public static class PolicyValidation
{
    /// <summary>The first problem of <see cref="CheckAll"/>, or null.</summary>
    public static EngineError? Check(RebalancePolicy policy) => CheckAll(policy) is [var first, ..] ? first : null;

    /// <summary>
    /// Every problem of the policy, in field order, so that one round of fixes meets them all; the order of the intervals
    /// is judged only when each of them is valid on its own.
    /// </summary>
    public static IReadOnlyList<EngineError> CheckAll(RebalancePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<EngineError>();
        if (policy.AssetThreshold is < 0m or > 1m)
        {
            errors.Add(new EngineError(
                Rules.ThresholdOutOfRange, "rebalance.threshold", $"threshold {Format.PercentagePoints(policy.AssetThreshold)} must be within 0..100 percentage points"));
        }

        if (policy.TotalThreshold is { } total && total is < 0m or > 1m)
        {
            errors.Add(new EngineError(
                Rules.ThresholdOutOfRange, "rebalance.totalThreshold", $"totalThreshold {Format.Percent(total)} must be within 0%..100%"));
        }

        var maxValid = true;
        if (policy.MaxInterval is { } max && max <= TimeSpan.Zero)
        {
            errors.Add(new EngineError(Rules.IntervalOutOfRange, "rebalance.maxInterval", $"maxInterval {Format.Duration(max)} must be greater than 0"));
            maxValid = false;
        }

        var minValid = true;
        if (policy.MinInterval is { } min && min < TimeSpan.Zero)
        {
            errors.Add(new EngineError(Rules.IntervalOutOfRange, "rebalance.minInterval", $"minInterval {Format.Duration(min)} cannot be negative"));
            minValid = false;
        }

        if (maxValid && minValid && policy is { MinInterval: { } lower, MaxInterval: { } upper } && lower > upper)
        {
            errors.Add(new EngineError(
                Rules.MinIntervalAboveMaxInterval,
                "rebalance.minInterval",
                $"minInterval {Format.Duration(lower)} is longer than maxInterval {Format.Duration(upper)}"));
        }

        return errors;
    }
}
