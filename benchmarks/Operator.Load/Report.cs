using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace CryptoIndex.Operator.Load;

/// <summary>The runs as the table docs/benchmarks.md shows, then each phase's API requests per fund by verb.</summary>
internal static class Report
{
    public static string Render(IReadOnlyList<LoadResult> runs)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant($"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, .NET {Environment.Version}, {RuntimeInformation.ProcessArchitecture}; {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        text.AppendLine();
        text.AppendLine("| funds | constituents | start → all Ready and funded | refresh (prices moved) → all updated | API requests per fund per refresh (moved / unchanged) | price-feed requests: start / per refresh | reconcile queue peak | process working set: before the operator → peak | peak managed heap (process) | live heap growth per fund: operator + LocalKube's statuses (LocalKube's, estimated) | fund object | 4xx/5xx | warnings / errors | load average after |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var r in runs)
        {
            var failures = r.Startup.Failures.Concat(r.Moved.Failures).Concat(r.Unchanged.Failures)
                .GroupBy(f => f.Key).Select(g => Invariant($"{g.Sum(f => f.Value)}×{g.Key}")).ToList();
            text.AppendLine(Invariant(
                $"| {r.Funds} | {r.Constituents} | {r.Startup.Seconds:0.0} s ({r.Startup.CpuSeconds:0.0} s CPU) | {r.Moved.Seconds:0.00} s ({r.Moved.CpuSeconds:0.00} s CPU) | {PerFund(r.Moved, r.Funds):0.00} / {PerFund(r.Unchanged, r.Funds):0.00} | {r.Startup.CoinGeckoRequests} / {r.Moved.CoinGeckoRequests}, {r.Unchanged.CoinGeckoRequests} (+{r.Startup.BinanceRequests + r.Moved.BinanceRequests + r.Unchanged.BinanceRequests} Binance; ≤{r.MaxIdsPerFeedRequest} ids) | {r.PeakQueueDepth:0} | {Mb(r.WorkingSetBefore)} → {Mb(r.PeakWorkingSet)} | {Mb(r.PeakManagedHeap)} | {r.OperatorHeap / 1024.0 / r.Funds:0} KB ({r.StoreShareOfHeap / 1024.0 / r.Funds:0} KB) | {r.FundObjectBytes / 1024.0:0.0} KB | {(failures.Count == 0 ? "0" : string.Join(", ", failures))} | {r.Warnings} / {r.Errors} (+{r.ReconcileErrors:0} reconcile errors) | {r.LoadAverage} |"));
        }

        foreach (var r in runs.Where(r => r.Refreshes.Count > 1))
        {
            var sorted = r.Refreshes.OrderBy(p => p.Seconds).ToList();
            text.AppendLine();
            text.AppendLine(Invariant($"{r.Funds} funds, {r.Refreshes.Count} refreshes (prices moved), median {sorted[sorted.Count / 2].Seconds:0.00} s, min {sorted[0].Seconds:0.00} s: {string.Join(", ", r.Refreshes.Select(p => Invariant($"{p.Seconds:0.00} s ({p.CpuSeconds:0.00} s CPU)")))}"));
        }

        foreach (var r in runs)
        {
            text.AppendLine();
            text.AppendLine(Invariant($"{r.Funds} funds, requests per fund (reconciles per fund):"));
            foreach (var phase in new[] { r.Startup, r.Moved, r.Unchanged })
            {
                var verbs = phase.Requests.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => Invariant($"{v.Key} {v.Value / (double)r.Funds:0.00}"));
                text.AppendLine(Invariant($"  {phase.Name,-9} ({phase.Reconciles / (double)r.Funds:0.00}): {string.Join(", ", verbs)}"));
            }
        }

        return text.ToString();
    }

    private static double PerFund(PhaseResult phase, int funds) => phase.Requests.Values.Sum() / (double)funds;

    private static string Mb(long bytes) => Invariant($"{bytes / 1024.0 / 1024.0:0} MB");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
