using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Planning;

/// <summary>
/// Everything a plan depends on. <see cref="Targets"/> are index weights summing to 1; a held asset missing from
/// them has left the index and is sold entirely. <see cref="SymbolRules"/> may omit symbols without exchange limits.
/// </summary>
public sealed record PlanRequest(
    Holdings Holdings,
    IReadOnlyDictionary<string, decimal> Prices,
    IReadOnlyDictionary<string, decimal> Targets,
    IReadOnlyDictionary<string, SymbolRules> SymbolRules,
    PlanOptions Options)
{
    /// <summary>
    /// The sells are over (an executor's last sell round has run; what it still wants sold is not sold this time): no
    /// sell is planned, every position the fund would sell holds still (NAV, fees and the cash buffer are planned for
    /// that), each such sell is reported as dropped (<see cref="DropReason.SellsOver"/>), and the buys are budgeted from
    /// the cash there is, less the cash buffer.
    /// </summary>
    public bool BuysOnly { get; init; }
}
