using System.Globalization;
using CryptoIndex.Operator.Funds;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>
/// The sandbox's lines about its clock: simulated (random walk, replay) or real (live prices), and, at the end, when it
/// stopped and when the final summary was taken, which at a high speed can be simulated hours later.
/// </summary>
public static class SandboxClockText
{
    /// <summary>
    /// A summary taken later than this share of the run after its end says so: at a high speed, stopping takes
    /// simulated time (a real half second is 14 simulated hours at 100000x), and funds trade in it.
    /// </summary>
    private const double LateShare = 0.1;

    /// <summary>The line above each summary while the sandbox runs.</summary>
    public static string Header(DateTimeOffset now, bool simulated) => $"{(simulated ? "simulated time" : "time")} {StatusText.Time(now)}\n";

    /// <summary>The line before the final summary.</summary>
    /// <param name="startedAt">The sandbox's clock when the run began (the operator up).</param>
    /// <param name="stoppedAt">The end the run was given, once reached, or when it was stopped.</param>
    /// <param name="summaryAt">The sandbox's clock as the final summary is read.</param>
    /// <param name="simulated">Whether the clock is simulated (not live prices in real time).</param>
    /// <param name="speed">Simulated seconds per real second.</param>
    /// <param name="historyEnded">Whether the run stopped because the replayed history ended.</param>
    public static string Stopped(DateTimeOffset startedAt, DateTimeOffset stoppedAt, DateTimeOffset summaryAt, bool simulated, double speed, bool historyEnded)
    {
        var clock = simulated ? " (simulated)" : string.Empty;
        var why = historyEnded ? "; the replayed history ended" : string.Empty;
        var late = simulated && summaryAt - stoppedAt > TimeSpan.FromMinutes(1) && summaryAt - stoppedAt > (stoppedAt - startedAt) * LateShare
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"; the summary is as of {StatusText.Time(summaryAt)}: at --speed {speed} stopping took that much simulated time, and funds traded in it")
            : string.Empty;
        return $"sandbox: stopped at {StatusText.Time(stoppedAt)}{clock}{why}{late}; final summary:";
    }
}
