namespace CryptoIndex.Engine.Planning;

/// <summary>Checks of a plan request beyond those shared with valuation, each naming the field it rejects.</summary>
internal static class PlanValidation
{
    public static EngineError? Check(PlanRequest request)
    {
        var options = request.Options;
        if (options.FeeRate is < 0m or >= Limits.FeeRateBound)
        {
            return new EngineError(Rules.FeeRateOutOfRange, "exchange.feeRate", $"fee rate {Format.Percent(options.FeeRate, 6)} must be at least 0% and below {Format.Percent(Limits.FeeRateBound, 0)}");
        }

        if (options.MinTradeValue is < 0m or > Limits.MaxValue)
        {
            return new EngineError(Rules.MinTradeValueOutOfRange, "rebalance.minTradeValue", $"minTradeValue must be within 0..{Format.Number(Limits.MaxValue)}");
        }

        if (options.BandWidth is < 0m or > 1m)
        {
            return new EngineError(Rules.ThresholdOutOfRange, "rebalance.threshold", "the band width must be within 0..100 percentage points");
        }

        foreach (var (symbol, rules) in request.SymbolRules.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            if (rules.StepSize < 0m || (rules.StepSize > 0m && rules.StepSize < Limits.MinStepSize)
                || rules.MinQuantity < 0m || rules.MinNotional < 0m || rules.MaxQuantity is <= 0m || rules.MaxNotional is <= 0m)
            {
                return new EngineError(
                    Rules.InvalidSymbolRules,
                    $"symbolRules[{symbol}]",
                    $"exchange rules for {symbol} need stepSize 0 or ≥ {Format.Number(Limits.MinStepSize, 12)}, minQuantity and minNotional ≥ 0, and maxQuantity and maxNotional > 0");
            }
        }

        return null;
    }
}
