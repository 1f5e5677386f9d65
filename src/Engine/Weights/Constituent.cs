namespace CryptoIndex.Engine.Weights;

/// <summary>
/// One asset of the index as the weighting needs it. <paramref name="MarketCap"/> comes from market data and is
/// required for the market-cap schemes; <paramref name="ManualWeight"/> only with <see cref="WeightingScheme.Manual"/>;
/// <paramref name="Cap"/> overrides the fund-wide asset cap for this asset.
/// </summary>
public sealed record Constituent(string Symbol, decimal? MarketCap = null, decimal? ManualWeight = null, decimal? Cap = null);
