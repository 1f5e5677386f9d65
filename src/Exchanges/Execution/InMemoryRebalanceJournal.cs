using System.Collections.Concurrent;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>A journal in memory: for tests and local runs. It survives a new executor, not a new process.</summary>
public sealed class InMemoryRebalanceJournal : IRebalanceJournal
{
    private readonly ConcurrentDictionary<string, RebalanceRecord> records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RebalanceRecord> staged = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    /// <summary>Every record saved, in order: what a status history would show.</summary>
    public ConcurrentQueue<RebalanceRecord> History { get; } = new();

    /// <summary>The stored record, as a new executor (one after a crash) starts from it: anything staged is forgotten.</summary>
    public Task<RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken)
    {
        staged.TryRemove(fundUid, out _);
        return Task.FromResult(records.TryGetValue(fundUid, out var record) ? record : null);
    }

    /// <summary>The record staged since the last save, else the stored one: the ledger a paper exchange reads.</summary>
    public RebalanceRecord? Current(string fundUid) =>
        staged.TryGetValue(fundUid, out var record) || records.TryGetValue(fundUid, out record) ? record : null;

    public void Stage(RebalanceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        staged[record.FundUid] = record;
    }

    public Task SaveAsync(RebalanceRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (gate)
        {
            var stored = records.TryGetValue(record.FundUid, out var current) ? current.Revision : 0;
            if (stored != record.Revision - 1)
            {
                throw new RebalanceConflictException(
                    $"fund {record.FundUid}: record revision {record.Revision} does not follow the stored revision {stored}");
            }

            records[record.FundUid] = record;
            staged.TryRemove(record.FundUid, out _);
            History.Enqueue(record);
        }

        return Task.CompletedTask;
    }
}
