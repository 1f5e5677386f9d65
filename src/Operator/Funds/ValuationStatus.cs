using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Funds;

/// <summary>Where an allocation's price came from, as its status row says it: market cap, source and the ids it is priced by.</summary>
public sealed record PriceProvenance(string? MarketCap, string? MarketCapOrigin, string? PriceSource, string? CoinGeckoId, string? BinancePair)
{
    public static PriceProvenance None { get; } = new(null, null, null, null, null);
}

/// <summary>
/// Writes a valuation into a status as every writer of the books does (an evaluation, and the save that finishes a
/// rebalance), so that the two cannot format NAV, cash, weights or allocations differently.
/// </summary>
public static class ValuationStatus
{
    public static void Write(IndexFundStatus status, PortfolioValuation valuation, Func<string, PriceProvenance> provenance)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(valuation);
        ArgumentNullException.ThrowIfNull(provenance);
        status.Nav = StatusText.Money(valuation.Nav);
        status.Cash = StatusText.Quantity(valuation.Cash); // exact: with the quantities below, status is the paper ledger
        status.CashWeight = StatusText.Weight(valuation.CashWeight);
        status.CashTarget = StatusText.Weight(valuation.CashTarget);
        status.TotalDrift = StatusText.Weight(valuation.TotalDrift);
        status.MaxDrift = StatusText.Drift(valuation.MaxAbsoluteDrift, withSign: false);
        status.Allocations = [.. valuation.Positions.Select(p =>
        {
            var source = provenance(p.Symbol);
            return new AllocationStatus
            {
                Symbol = p.Symbol,
                Price = StatusText.Price(p.Price),
                MarketCap = source.MarketCap,
                MarketCapOrigin = source.MarketCapOrigin,
                PriceSource = source.PriceSource,
                TargetWeight = StatusText.Weight(p.TargetWeight),
                CurrentWeight = StatusText.Weight(p.CurrentWeight),
                Drift = StatusText.Drift(p.Drift),
                Quantity = StatusText.Quantity(p.Quantity),
                Value = StatusText.Money(p.Value),
                CoinGeckoId = source.CoinGeckoId,
                BinancePair = source.BinancePair,
            };
        })];
    }
}
