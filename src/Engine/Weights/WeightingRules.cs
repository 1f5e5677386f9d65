namespace CryptoIndex.Engine.Weights;

/// <summary>
/// The fund-wide weighting rules. Weights are fractions (0.25 = 25 %). <paramref name="AssetFloor"/> is optional
/// (0 means none). <paramref name="Precision"/> is the number of decimal places target weights are rounded to;
/// the rounded weights still sum to exactly 1 (largest-remainder rounding).
/// </summary>
public sealed record WeightingRules(
    WeightingScheme Scheme,
    decimal AssetCap = 1m,
    decimal AssetFloor = 0m,
    int Precision = WeightingRules.DefaultPrecision)
{
    public const int DefaultPrecision = 8;
    public const int MinPrecision = 2;
    public const int MaxPrecision = 20;
}
