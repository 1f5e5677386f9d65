namespace CryptoIndex.Engine.Planning;

/// <summary>How far a rebalance trades.</summary>
public enum RebalanceMode
{
    /// <summary>Every asset is traded back to its target weight.</summary>
    ToTarget,

    /// <summary>
    /// Only assets outside target ± <see cref="PlanOptions.BandWidth"/> trade, and only back to the nearest band edge
    /// (Leland 1996: roughly halves turnover). When that would leave cash outside buffer ± band (new money, proceeds of
    /// an asset that left the index), cash is brought back to its band's edge too, through the assets on the side of
    /// their targets that it needs; a fund holding only cash trades to target.
    /// </summary>
    ToBandEdge,
}

/// <summary>
/// Planning settings. <paramref name="FeeRate"/> is charged per side (0.001 = 0.1 %): buy commissions are taken from
/// the asset received and sell commissions from the quote currency received, as Binance does without BNB discounts.
/// <paramref name="MinTradeValue"/> drops orders worth less (in the quote currency); <paramref name="CashBuffer"/>
/// is the share of NAV kept in cash.
/// </summary>
public sealed record PlanOptions(
    decimal FeeRate = 0m,
    RebalanceMode Mode = RebalanceMode.ToTarget,
    decimal BandWidth = 0m,
    decimal MinTradeValue = 0m,
    decimal CashBuffer = 0m);
