using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.ExchangeAccounts;
using ExecutionRecord = CryptoIndex.Exchanges.Execution.RebalanceRecord;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// Where a fund's books are (the exchange its last rebalance traded on) against where its spec points now: which
/// account binds the next rebalance, and which moves are refused.
/// </summary>
internal static class BooksVenue
{
    /// <summary>
    /// Where the rebalance traded, in <see cref="ExchangeIdentity"/> words, from the record itself. A record written
    /// before it kept that (no <c>venue</c>) falls back to its <c>status.rebalances[]</c> entry, and a paper one is
    /// paper either way; null for an older Binance record whose entry has left the history.
    /// </summary>
    public static string? Of(IndexFund fund, ExecutionRecord record) =>
        record.Venue
        ?? fund.Status?.Rebalances?.FirstOrDefault(r => r.Sequence == record.Sequence)?.Exchange
        ?? (record.Exchange == ExchangeIdentity.Paper ? ExchangeIdentity.Paper : null);

    /// <summary>
    /// The account the spec's credentials must still reach for the next rebalance: the books' account while the spec
    /// names the venue they are on. Null after a deliberate move to other credentials, or when the venue is unknown.
    /// </summary>
    public static string? Account(IndexFund fund, FundDefinition definition, ExecutionRecord? record) =>
        record?.Account is { } books && Of(fund, record) == ExchangeIdentity.Of(definition.Exchange) ? books : null;

    /// <summary>
    /// Why the fund may not trade where its spec points now, or null. Positions bought with play money (paper, the
    /// testnet) are not on a real account: a rebalance there would sell, as the fund's, coins the account does not hold
    /// for it. A move that risks no real money, or of a fund holding only cash, passes.
    /// </summary>
    public static string? MoveRefused(IndexFund fund, FundDefinition definition, ExecutionRecord? record, Holdings books)
    {
        var target = ExchangeIdentity.Of(definition.Exchange);
        if (record is null || books.HasNoPositions || ExchangeIdentity.IsPlayMoney(target)
            || Of(fund, record) is not { } from || from == target || !ExchangeIdentity.IsPlayMoney(from))
        {
            return null;
        }

        return $"spec.exchange names {target}, but the fund's books hold {string.Join(", ", books.Quantities.Keys)} bought on {from} (play money): "
            + "those positions are not on that account, and a rebalance there would sell coins it does not hold for the fund; nothing is traded. "
            + $"Put spec.exchange back to {from}, or, to trade on {target}, delete the fund and create it anew: a new fund starts from spec.capital in cash";
    }
}
