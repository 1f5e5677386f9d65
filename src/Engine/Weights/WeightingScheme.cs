namespace CryptoIndex.Engine.Weights;

/// <summary>How each constituent's uncapped base weight is obtained.</summary>
public enum WeightingScheme
{
    /// <summary>Proportional to market cap.</summary>
    MarketCap,

    /// <summary>Proportional to the square root of market cap (CCi30 style), which de-concentrates large assets.</summary>
    SqrtMarketCap,

    /// <summary>One share each.</summary>
    Equal,

    /// <summary>Weights given in the fund's spec; they must sum to exactly 1.</summary>
    Manual,
}
