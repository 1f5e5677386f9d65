namespace CryptoIndex.Engine.Weights;

/// <summary>Checks of the fund-wide weighting rules, shared by the weighting and by spec validation.</summary>
public static class WeightingValidation
{
    public static EngineError? CheckRules(WeightingRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.Precision is < WeightingRules.MinPrecision or > WeightingRules.MaxPrecision)
        {
            return new EngineError(
                Rules.PrecisionOutOfRange,
                "precision",
                $"weight precision must be between {WeightingRules.MinPrecision} and {WeightingRules.MaxPrecision} decimal places");
        }

        var error = CheckFraction(rules.AssetCap, "assetCap", Rules.CapOutOfRange, allowZero: false, rules.Precision)
            ?? CheckFraction(rules.AssetFloor, "assetFloor", Rules.FloorOutOfRange, allowZero: true, rules.Precision);
        if (error is not null)
        {
            return error;
        }

        return rules.AssetFloor <= rules.AssetCap
            ? null
            : new EngineError(
                Rules.FloorAboveCap,
                "assetFloor",
                $"assetFloor {Format.Percent(rules.AssetFloor, 8)} is above assetCap {Format.Percent(rules.AssetCap, 8)}");
    }

    /// <summary>A weight bound must lie in (0, 1] (or [0, 1) for a floor) and be exact at the weight precision.</summary>
    internal static EngineError? CheckFraction(decimal value, string field, string rule, bool allowZero, int precision)
    {
        var inRange = allowZero ? value is >= 0m and < 1m : value is > 0m and <= 1m;
        if (!inRange)
        {
            var range = allowZero ? "at least 0% and below 100%" : "above 0% and at most 100%";
            return new EngineError(rule, field, $"{field} is {Format.Percent(value, 8)}; it must be {range}");
        }

        return DecimalMath.Scale(value) <= precision
            ? null
            : new EngineError(
                Rules.TooPrecise,
                field,
                $"{field} {Format.Percent(value, 12)} has more decimal places than the weight precision ({precision} places of a fraction)");
    }
}
