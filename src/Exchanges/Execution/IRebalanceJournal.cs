namespace CryptoIndex.Exchanges.Execution;

/// <summary>
/// Durable storage of a fund's current rebalance record. The reconciler implements it on the IndexFund status
/// subresource; a save must be durable when it returns (the executor sends an order only after the save that
/// records it).
/// </summary>
public interface IRebalanceJournal
{
    /// <summary>The fund's latest rebalance record (in progress or done), or null when it never rebalanced.</summary>
    Task<RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the fund's record, only if the stored one has revision <c>record.Revision − 1</c> (none counts as 0);
    /// otherwise throws <see cref="RebalanceConflictException"/> and stores nothing. On the status subresource this is
    /// the resourceVersion precondition of the patch.
    /// </summary>
    Task SaveAsync(RebalanceRecord record, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="record"/> the fund's current record without storing it: the executor's step for an
    /// exchange that keeps no orders (<see cref="IExchange.KeepsNoOrders"/>), whose fills exist only once saved, so
    /// that a phase's orders are stored together by the save that ends it. The staged record has the stored one's
    /// revision; the ledger the exchange reads (its balances) is the staged one's. A save or a load forgets it: what a
    /// crash or a conflict loses was never traded.
    /// </summary>
    void Stage(RebalanceRecord record);
}
