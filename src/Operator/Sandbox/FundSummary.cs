using System.Globalization;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>
/// One line of the sandbox's summary table: what a person watching wants to see of each fund, short enough for a
/// terminal (NAV to cents, times to the minute, reasons cut); the exact numbers are in the fund's status.
/// </summary>
public sealed record FundSummary(string Fund, string Ready, string Nav, string MaxDrift, string Rebalances, string Trades, string LastRebalance)
{
    private const int ReasonLength = 32;

    public static IReadOnlyList<string> Headers { get; } = ["FUND", "READY", "NAV", "MAX DRIFT", "REBALANCES", "TRADES", "LAST REBALANCE"];

    public IReadOnlyList<string> Cells => [Fund, Ready, Nav, MaxDrift, Rebalances, Trades, LastRebalance];

    public static FundSummary Of(IndexFund fund)
    {
        ArgumentNullException.ThrowIfNull(fund);
        var status = fund.Status;
        var ready = status?.Conditions?.FirstOrDefault(c => c.Type == FundConditions.Ready);
        var ns = fund.Metadata.NamespaceProperty ?? "default";
        return new FundSummary(
            ns == "default" ? fund.Metadata.Name! : ns + "/" + fund.Metadata.Name,
            ready is null ? "-" : ready.Status == "True" ? ready.Reason ?? "True" : "NOT READY " + ready.Reason,
            decimal.TryParse(status?.Nav, NumberStyles.Number, CultureInfo.InvariantCulture, out var nav) ? Engine.Format.Number(nav, 2) : "-",
            status?.MaxDrift ?? "-",
            (status?.RebalanceSequence ?? 0).ToString(CultureInfo.InvariantCulture),
            (status?.Trades?.Count(t => t.Status == "Completed") ?? 0).ToString(CultureInfo.InvariantCulture),
            Last(status));
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

    private static string Last(IndexFundStatus? status)
    {
        if (status?.LastRebalanceTime is not { } time)
        {
            return "-";
        }

        var at = DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : time;
        var reason = status.LastRebalanceReason ?? string.Empty;
        return reason.Length <= ReasonLength ? $"{at} {reason}".TrimEnd() : $"{at} {reason[..(ReasonLength - 1)]}…";
    }
}
