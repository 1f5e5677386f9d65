using System.Collections.Immutable;
using CryptoIndex.Engine;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>Where a rebalance stands.</summary>
public enum RebalancePhase
{
    /// <summary>Sell legs are being executed; buys are recorded but only provisionally sized.</summary>
    Selling,

    /// <summary>Buys were resized to the cash actually received and are being executed.</summary>
    Buying,

    /// <summary>Every leg is completed, failed or skipped.</summary>
    Done,
}

/// <summary>Where one order of a rebalance stands.</summary>
public enum LegState
{
    /// <summary>Recorded, never sent (or a send that the exchange definitely refused, to be sent again).</summary>
    Pending,

    /// <summary>Sent (or about to be); its outcome is unknown until an answer or a look-up by client order id.</summary>
    Sent,

    /// <summary>Executed, fully or partly; its fills are in the record.</summary>
    Completed,

    /// <summary>Refused by the exchange; <see cref="LegRecord.Reason"/> says why.</summary>
    Failed,

    /// <summary>Not sent: no longer needed once the buys were resized, or below the exchange's minimums.</summary>
    Skipped,
}

/// <summary>
/// One order of a rebalance as recorded in the fund's status. <see cref="SentAt"/> is the exchange-clock timestamp of
/// the latest attempt: until <c>SentAt + AcceptanceWindow</c> that attempt could still be accepted.
/// </summary>
public sealed record LegRecord(
    int Leg,
    string ClientOrderId,
    string Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal ReferencePrice,
    LegState State,
    int Attempts,
    DateTimeOffset? SentAt,
    string? ExchangeOrderId,
    decimal ExecutedQuantity,
    ImmutableList<Fill> Fills,
    string? Reason)
{
    public static LegRecord Planned(string fundUid, long sequence, int leg, string symbol, OrderSide side, decimal quantity, decimal referencePrice) =>
        new(leg, Exchanges.ClientOrderId.Create(fundUid, sequence, leg), symbol, side, quantity, referencePrice, LegState.Pending, 0, null, null, 0m, [], null);

    public bool IsFinal => State is LegState.Completed or LegState.Failed or LegState.Skipped;
}

/// <summary>
/// What the buys are planned from after the sells: the targets, the reference prices, the exchange's symbol rules and
/// the fund's plan options as they were when the rebalance started. Keeping them in the record makes the resumed
/// rebalance independent of newer prices, so planning again after a crash gives the same buys.
/// </summary>
public sealed record RebalanceInputs(
    ImmutableSortedDictionary<string, decimal> Targets,
    ImmutableSortedDictionary<string, decimal> Prices,
    ImmutableSortedDictionary<string, SymbolRules> SymbolRules,
    PlanOptions Options);

/// <summary>
/// The durable record of one rebalance: written before the first order is sent and after every state change, so
/// that the rebalance resumes after a restart from this record and what the exchange says. The fund's holdings are
/// always <see cref="StartHoldings"/> with every recorded fill applied (<see cref="Holdings"/>).
/// </summary>
public sealed record RebalanceRecord(
    string FundUid,
    long Sequence,
    string Exchange,
    RebalancePhase Phase,
    int SellRounds,
    Holdings StartHoldings,
    RebalanceInputs Inputs,
    ImmutableList<LegRecord> Legs,
    ImmutableList<DroppedOrder> Dropped,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>
    /// Incremented by every save. A journal accepts a record only on top of the revision it was derived from, so two
    /// operator instances working on one fund (a leader hand-over) cannot both record, and then send, the same leg.
    /// </summary>
    public long Revision { get; init; }

    /// <summary>
    /// The exchange account the rebalance trades on (<see cref="IExchange.GetAccountAsync"/>), null when the exchange
    /// did not say (or the record is older than this field): it is resumed on that account only.
    /// </summary>
    public string? Account { get; init; }

    /// <summary>
    /// Where the caller pointed the fund when the rebalance started, in its own words (<see cref="RebalanceStart.Venue"/>),
    /// null in a record older than this field. Kept with the books so the next rebalance can tell whether the fund
    /// still points there without any other history.
    /// </summary>
    public string? Venue { get; init; }

    /// <summary>
    /// The fund's holdings now: the start holdings with every recorded fill applied exactly, in execution order (every
    /// sell, of any round, before every buy; then by leg), each leg's fills as one order (<see cref="FundLedger.ApplyOrder"/>:
    /// a commission in the asset a sell sells is paid from what the whole order leaves).
    /// </summary>
    public EngineResult<Holdings> Holdings()
    {
        EngineResult<Holdings> current = StartHoldings;
        foreach (var leg in Legs.Where(l => l.Fills.Count > 0).OrderBy(l => l.Side == OrderSide.Buy).ThenBy(l => l.Leg))
        {
            current = FundLedger.ApplyOrder(current.Value, leg.Fills);
            if (!current.IsSuccess)
            {
                return current;
            }
        }

        return current;
    }

    public RebalanceRecord WithLeg(LegRecord leg)
    {
        ArgumentNullException.ThrowIfNull(leg);
        var index = Legs.FindIndex(l => l.Leg == leg.Leg);
        return this with { Legs = index < 0 ? Legs.Add(leg) : Legs.SetItem(index, leg) };
    }

    public int NextLeg => Legs.Count == 0 ? 1 : Legs.Max(l => l.Leg) + 1;
}
