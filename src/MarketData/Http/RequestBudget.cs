namespace CryptoIndex.MarketData.Http;

/// <summary>
/// A client-side limit of at most <c>limit</c> requests in any sliding <c>window</c> (CoinGecko's demo tier allows
/// 30 per minute). A request that would exceed it waits until the oldest request in the window leaves it. Time comes
/// from <see cref="TimeProvider"/>, so tests can prove the limit with a fake clock.
/// </summary>
public sealed class RequestBudget : IDisposable
{
    private readonly int limit;
    private readonly TimeSpan window;
    private readonly TimeProvider time;
    private readonly Queue<long> sent = new(); // monotonic timestamps: a wall-clock step must not stall or flood
    private readonly SemaphoreSlim gate = new(1, 1);

    public RequestBudget(int limit, TimeSpan window, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        this.limit = limit;
        this.window = window;
        this.time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>
    /// Transit time between sending and the provider counting a request: the window is widened by it, so that
    /// requests sent at the edge of a window cannot arrive inside the provider's.
    /// </summary>
    public static readonly TimeSpan SafetyMargin = TimeSpan.FromSeconds(1);

    /// <summary>At most <paramref name="limit"/> requests per minute as the provider counts them.</summary>
    public static RequestBudget PerMinute(int limit, TimeProvider time) => new(limit, TimeSpan.FromMinutes(1) + SafetyMargin, time);

    /// <summary>Waits for a slot and takes it. Callers are served one at a time, in arrival order.</summary>
    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                while (sent.Count > 0 && time.GetElapsedTime(sent.Peek()) >= window)
                {
                    sent.Dequeue();
                }

                if (sent.Count < limit)
                {
                    sent.Enqueue(time.GetTimestamp());
                    return;
                }

                await Task.Delay(window - time.GetElapsedTime(sent.Peek()), time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();
}
