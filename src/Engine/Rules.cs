namespace CryptoIndex.Engine;

/// <summary>Stable names of the rules the Engine enforces; they appear in status conditions and events.</summary>
public static class Rules
{
    public const string NoConstituents = "NoConstituents";
    public const string InvalidSymbol = "InvalidSymbol";
    public const string DuplicateSymbol = "DuplicateSymbol";
    public const string CapOutOfRange = "CapOutOfRange";
    public const string FloorOutOfRange = "FloorOutOfRange";
    public const string FloorAboveCap = "FloorAboveCap";
    public const string CapInfeasible = "CapInfeasible";
    public const string FloorInfeasible = "FloorInfeasible";
    public const string PrecisionOutOfRange = "PrecisionOutOfRange";
    public const string TooPrecise = "TooPrecise";
    public const string MissingMarketCap = "MissingMarketCap";
    public const string NonPositiveMarketCap = "NonPositiveMarketCap";
    public const string MissingManualWeight = "MissingManualWeight";
    public const string ManualWeightOutOfRange = "ManualWeightOutOfRange";
    public const string ManualWeightsSum = "ManualWeightsSum";
    public const string ManualWeightNotAllowed = "ManualWeightNotAllowed";
    public const string MissingPrice = "MissingPrice";
    public const string NonPositivePrice = "NonPositivePrice";
    public const string NegativeQuantity = "NegativeQuantity";
    public const string NegativeCash = "NegativeCash";
    public const string TargetsSum = "TargetsSum";
    public const string TargetOutOfRange = "TargetOutOfRange";
    public const string ThresholdOutOfRange = "ThresholdOutOfRange";
    public const string IntervalOutOfRange = "IntervalOutOfRange";
    public const string MinIntervalAboveMaxInterval = "MinIntervalAboveMaxInterval";
    public const string FeeRateOutOfRange = "FeeRateOutOfRange";
    public const string CashBufferOutOfRange = "CashBufferOutOfRange";
    public const string MinTradeValueOutOfRange = "MinTradeValueOutOfRange";
    public const string InvalidSymbolRules = "InvalidSymbolRules";
    public const string InvalidFill = "InvalidFill";
    public const string InsufficientCash = "InsufficientCash";
    public const string InsufficientQuantity = "InsufficientQuantity";
    public const string ValueOutOfRange = "ValueOutOfRange";
    public const string MarketCapOutOfRange = "MarketCapOutOfRange";
}
