using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using ExecutionRecord = CryptoIndex.Exchanges.Execution.RebalanceRecord;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// The books a finished rebalance leaves, for the status update that marks it finished. Written later, by the next
/// evaluation, a watcher (kubectl -w, a GitOps health check, a scrape) saw the rebalance Completed beside the cash,
/// NAV and allocations from before its fills. Valued as the evaluation that started it valued the books before: the
/// record's holdings with every fill applied (<see cref="ExecutionRecord.Holdings"/>), at the prices it was planned at,
/// against its targets and cash buffer, all kept in <c>status.execution</c>, so every number can be recomputed from the
/// record. Those are the last prices the operator evaluated (nothing evaluates while a rebalance runs): NAV stays "at
/// the last prices", and the next evaluation moves it to newer ones, as at any refresh.
/// </summary>
public static class FinishedBooks
{
    /// <summary>The finished books' valuation; null when the fills do not fit the holdings (the reconciler reports
    /// <c>LedgerMismatch</c> and values nothing) or the books cannot be valued.</summary>
    public static PortfolioValuation? Value(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Holdings() is not { IsSuccess: true } books)
        {
            return null;
        }

        var valuation = Valuation.Evaluate(books.Value, record.Inputs.Prices, record.Inputs.Targets, record.Inputs.Options.CashBuffer);
        return valuation.IsSuccess ? valuation.Value : null;
    }

    /// <summary>
    /// The status fields that show <paramref name="valuation"/> (written by <see cref="ValuationStatus"/>, as an evaluation writes them), with when
    /// the rebalance finished and why it ran. Each allocation keeps what its row in <paramref name="status"/> says of its
    /// price (source, market cap) and the ids it is priced by: those prices are the ones it is valued at.
    /// </summary>
    public static JsonObject Fields(PortfolioValuation valuation, ExecutionRecord record, string? reason, JsonNode? status)
    {
        ArgumentNullException.ThrowIfNull(valuation);
        ArgumentNullException.ThrowIfNull(record);
        var rows = (status?["allocations"]?.Deserialize<List<AllocationStatus>>(ApiJson.Options) ?? [])
            .GroupBy(a => a.Symbol, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var books = new IndexFundStatus
        {
            LastRebalanceTime = record.FinishedAt is { } finished ? StatusText.Time(finished) : null,
            LastRebalanceReason = reason,
        };
        ValuationStatus.Write(books, valuation, symbol => rows.GetValueOrDefault(symbol) is { } row
            ? new PriceProvenance(row.MarketCap, row.MarketCapOrigin, row.PriceSource, row.CoinGeckoId, row.BinancePair)
            : PriceProvenance.None);
        return JsonSerializer.SerializeToNode(books, ApiJson.Options)!.AsObject();
    }
}
