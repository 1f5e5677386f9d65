namespace CryptoIndex.Engine.Backtesting;

/// <summary>One asset's close on one day: price and, when known, market cap.</summary>
public readonly record struct AssetClose(decimal Price, decimal? MarketCap);

/// <summary>One day of history: every constituent's close. Days are complete: gaps are filled before (see the loader).</summary>
public sealed record MarketDay(DateOnly Date, IReadOnlyDictionary<string, AssetClose> Closes);
