namespace CryptoIndex.Operator.Load;

/// <summary>
/// One phase of a run: its wall-clock duration, the process's CPU time over it (LocalKube's included; less at the
/// mercy of other load on the machine than the wall clock), the operator's API requests by "verb resource" and the failed ones by
/// status code, the price-feed requests, and the reconciles it took.
/// </summary>
internal sealed record PhaseResult(
    string Name,
    double Seconds,
    double CpuSeconds,
    IReadOnlyDictionary<string, int> Requests,
    IReadOnlyDictionary<int, int> Failures,
    int CoinGeckoRequests,
    int BinanceRequests,
    long Reconciles);

/// <summary>What one run with <see cref="Funds"/> funds measured (a child process prints it as JSON).</summary>
internal sealed record LoadResult(
    int Funds,
    int Constituents,
    PhaseResult Startup,
    PhaseResult Moved,
    PhaseResult Unchanged,
    double PeakQueueDepth,
    long WorkingSetBefore,
    long PeakWorkingSet,
    long PeakManagedHeap,
    long OperatorHeap,
    long StoreShareOfHeap,
    long FundObjectBytes,
    int Warnings,
    int Errors,
    double ReconcileErrors,
    int MaxIdsPerFeedRequest,
    string LoadAverage)
{
    /// <summary>Every prices-moved refresh (<c>--refreshes N</c>), the first of them <see cref="Moved"/>.</summary>
    public IReadOnlyList<PhaseResult> Refreshes { get; init; } = [Moved];
}
