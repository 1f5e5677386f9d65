namespace CryptoIndex.Engine.Weights;

/// <summary>Which bound, if any, decided an asset's weight.</summary>
public enum WeightBound
{
    /// <summary>Proportional to its base: neither capped nor floored.</summary>
    Free,

    /// <summary>Held down at its cap.</summary>
    Cap,

    /// <summary>Lifted to the floor.</summary>
    Floor,
}

/// <summary>
/// One constituent's target: the rounded weight, the base it was derived from, and the binding bound. A struct so
/// that an allocation of n assets is one array, not n objects.
/// </summary>
public readonly record struct TargetWeight(string Symbol, decimal Weight, decimal Base, WeightBound Bound);

/// <summary>
/// Target weights in the order the constituents were given. They sum to exactly 1 and each lies within
/// [floor, cap] of its asset.
/// </summary>
public sealed record TargetAllocation(IReadOnlyList<TargetWeight> Weights, WeightingRules Rules)
{
    /// <summary>The weights by symbol, for the valuation and planning steps.</summary>
    public IReadOnlyDictionary<string, decimal> BySymbol()
    {
        var map = new Dictionary<string, decimal>(Weights.Count, StringComparer.Ordinal);
        foreach (var target in Weights)
        {
            map[target.Symbol] = target.Weight;
        }

        return map;
    }
}
