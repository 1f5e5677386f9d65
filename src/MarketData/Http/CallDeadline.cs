using System.Net.Http.Headers;
using Polly;

namespace CryptoIndex.MarketData.Http;

/// <summary>
/// Records when a call entered the pipeline, so the retry strategy can tell whether a server's Retry-After would end
/// after the total timeout. Waiting for it anyway only blocks the caller for the whole budget and ends the call as
/// "timed out", hiding the 429/503 and its Retry-After from the source (which may have to remember it as a ban).
/// </summary>
internal sealed class CallDeadline(TimeProvider time, TimeSpan totalTimeout) : ResilienceStrategy
{
    private static readonly ResiliencePropertyKey<long> StartedAt = new("CryptoIndex.CallStartedAt");

    /// <summary>True when <paramref name="response"/> asks, in its Retry-After, for a wait that ends at or after the
    /// total-timeout deadline of the call (the timeout would cancel the wait, so the retry could never be sent).</summary>
    public bool RetryAfterOutlasts(ResilienceContext context, HttpResponseMessage? response)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (response?.Headers.RetryAfter is not { } retryAfter || !context.Properties.TryGetValue(StartedAt, out var startedAt))
        {
            return false;
        }

        return Wait(retryAfter) >= totalTimeout - time.GetElapsedTime(startedAt);
    }

    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        context.Properties.Set(StartedAt, time.GetTimestamp());
        return callback(context, state);
    }

    // As the retry strategy reads the header: seconds, or a date counted from now.
    private TimeSpan Wait(RetryConditionHeaderValue retryAfter) =>
        retryAfter.Delta ?? (retryAfter.Date is { } date ? date - time.GetUtcNow() : TimeSpan.Zero);
}
