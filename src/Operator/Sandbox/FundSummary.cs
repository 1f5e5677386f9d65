using System.Globalization;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>One line of the sandbox's summary table: what a person watching wants to see of each fund.</summary>
public sealed record FundSummary(string Fund, string Ready, string Nav, string MaxDrift, string LastRebalance, string Rebalances, string Trades)
{
    public static IReadOnlyList<string> Headers { get; } = ["FUND", "READY", "NAV", "MAX DRIFT", "LAST REBALANCE", "REBALANCES", "TRADES"];

    public IReadOnlyList<string> Cells => [Fund, Ready, Nav, MaxDrift, LastRebalance, Rebalances, Trades];

    public static FundSummary Of(IndexFund fund)
    {
        ArgumentNullException.ThrowIfNull(fund);
        var status = fund.Status;
        var ready = status?.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Ready);
        var ns = fund.Metadata.NamespaceProperty ?? "default";
        return new FundSummary(
            ns == "default" ? fund.Metadata.Name! : ns + "/" + fund.Metadata.Name,
            ready is null ? "-" : ready.Status + " " + ready.Reason,
            status?.Nav ?? "-",
            status?.MaxDrift ?? "-",
            status?.LastRebalanceTime is { } at ? at + " " + Shorten(status.LastRebalanceReason) : "-",
            (status?.RebalanceSequence ?? 0).ToString(CultureInfo.InvariantCulture),
            (status?.Trades?.Count(t => t.Status == "Completed") ?? 0).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The table as plain text: aligned columns, one fund per line, in name order.</summary>
    public static string Render(IEnumerable<FundSummary> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var lines = new List<IReadOnlyList<string>> { Headers };
        lines.AddRange(rows.OrderBy(r => r.Fund, StringComparer.Ordinal).Select(r => r.Cells));
        var widths = Enumerable.Range(0, Headers.Count).Select(i => lines.Max(l => l[i].Length)).ToArray();
        return string.Join('\n', lines.Select(l => string.Join("  ", l.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd())) + "\n";
    }

    private static string Shorten(string? reason) =>
        reason is null ? string.Empty : reason.Length <= 40 ? "(" + reason + ")" : "(" + reason[..39] + "…)";
}
