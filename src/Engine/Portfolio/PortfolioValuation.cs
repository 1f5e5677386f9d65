namespace CryptoIndex.Engine.Portfolio;

/// <summary>
/// One asset's place in the fund. <see cref="IndexWeight"/> is its weight in the index; <see cref="TargetWeight"/> is
/// its share of NAV once the cash buffer is set aside. <see cref="Drift"/> is current minus target weight as a
/// fraction (0.05 = 5 percentage points); <see cref="RelativeDrift"/> is drift over target (null when the target is 0).
/// </summary>
public sealed record AssetPosition(
    string Symbol,
    decimal Quantity,
    decimal Price,
    decimal Value,
    decimal IndexWeight,
    decimal TargetWeight,
    decimal CurrentWeight,
    decimal Drift,
    decimal? RelativeDrift,
    bool IsConstituent);

/// <summary>
/// A fund valued at a set of prices. <see cref="TotalDrift"/> is ½·Σ|w−t| over the assets and cash, which equals the
/// one-way turnover needed to reach the target. Positions are sorted by symbol (ordinal).
/// </summary>
public sealed record PortfolioValuation(
    decimal Nav,
    decimal Cash,
    decimal CashWeight,
    decimal CashTarget,
    IReadOnlyList<AssetPosition> Positions,
    decimal TotalDrift,
    decimal MaxAbsoluteDrift)
{
    public AssetPosition? Find(string symbol) => Positions.FirstOrDefault(p => string.Equals(p.Symbol, symbol, StringComparison.Ordinal));
}
