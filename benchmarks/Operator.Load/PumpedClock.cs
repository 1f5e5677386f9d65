using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Load;

/// <summary>
/// The operator's clock: a <see cref="FakeTimeProvider"/> moved on with real time by a pump (so retries, backoffs and
/// rate limits play out as they would), which the run also jumps forward to the next price refresh at once: every
/// fund's refresh then falls due at the same moment, the heaviest case, and no run waits minutes for it.
/// </summary>
internal sealed class PumpedClock : IAsyncDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);
    private readonly CancellationTokenSource stop = new();
    private readonly Task pump;

    public PumpedClock(DateTimeOffset start)
    {
        Time = new FakeTimeProvider(start);
        pump = Task.Run(PumpAsync);
    }

    public FakeTimeProvider Time { get; }

    /// <summary>Moves the clock on by <paramref name="span"/> at once (timers due meanwhile fire now).</summary>
    public void Jump(TimeSpan span) => Time.Advance(span);

    private async Task PumpAsync()
    {
        var last = TimeProvider.System.GetTimestamp();
        using var timer = new PeriodicTimer(Tick);
        while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
        {
            var now = TimeProvider.System.GetTimestamp();
            Time.Advance(TimeProvider.System.GetElapsedTime(last, now));
            last = now;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        stop.Dispose();
    }
}
