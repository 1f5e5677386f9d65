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
    /// names the venue they are on, or when that venue is unknown (an older Binance record whose history entry has
    /// gone) and the spec points at real money — it may have been the testnet, whose books must not trade on the real
    /// account, so the account decides (a deliberate move to other keys then needs the fund re-created). Null after a
    /// deliberate move to other credentials, or to play money.
    /// </summary>
    public static string? Account(IndexFund fund, FundDefinition definition, ExecutionRecord? record)
    {
        if (record?.Account is not { } books)
        {
            return null;
        }

        var target = ExchangeIdentity.Of(definition.Exchange);
        return Of(fund, record) is { } venue
            ? venue == target ? books : null
            : ExchangeIdentity.IsPlayMoney(target) ? null : books;
    }

    /// <summary>
    /// Why the fund may not trade where its spec points now, or null. Books kept with play money (paper, the testnet)
    /// are not on a real account: a rebalance there would sell, as the fund's, coins the account does not hold for it,
    /// or spend as its cash what paper gains made. A move that risks no real money, or of a fund that never traded, passes.
    /// </summary>
    public static string? MoveRefused(IndexFund fund, FundDefinition definition, ExecutionRecord? record, Holdings books)
    {
        var target = ExchangeIdentity.Of(definition.Exchange);
        if (record is null || ExchangeIdentity.IsPlayMoney(target)
            || Of(fund, record) is not { } from || from == target || !ExchangeIdentity.IsPlayMoney(from))
        {
            return null;
        }

        var held = books.HasNoPositions
            ? $"hold {Engine.Format.Number(books.Cash)} in cash, the outcome of trading on {from} (play money)"
            : $"hold {string.Join(", ", books.Quantities.Where(q => q.Value != 0m).Select(q => q.Key))} bought on {from} (play money)";
        return $"spec.exchange names {target}, but the fund's books {held}: "
            + "they are not on that account, and a rebalance there would sell coins or spend cash it does not hold for the fund; nothing is traded. "
            + $"Put spec.exchange back to {from}, or, to trade on {target}, delete the fund and create it anew: a new fund starts from spec.capital in cash";
    }
}
