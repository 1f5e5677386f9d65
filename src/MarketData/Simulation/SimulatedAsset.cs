namespace CryptoIndex.MarketData.Simulation;

/// <summary>Where an asset's simulated walk starts, its circulating supply (market cap = price × supply) and its yearly volatility.</summary>
public sealed record SimulatedAsset(decimal StartPrice, decimal Supply, decimal AnnualVolatility);
