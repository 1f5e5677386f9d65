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
    PlanOptions Options);
