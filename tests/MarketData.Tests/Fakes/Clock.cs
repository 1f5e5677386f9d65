using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.MarketData.Tests.Fakes;

/// <summary>
/// Runs an operation that mixes real loopback HTTP with timers on a <see cref="FakeTimeProvider"/>. The fake clock
/// moves forward by <c>step</c> only when <c>idle</c> says nothing is in flight except what the fake server hangs on
/// purpose, i.e. when the code under test can only be waiting on a timer (backoff, Retry-After, a timeout, a rate
/// limit). So every delay passes on the fake clock alone, and a slow machine cannot fire a timeout early; the short
/// real pause just lets loopback I/O progress, and the step count bounds the test. Idle must hold on
/// <see cref="SettlePolls"/> polls in a row: one poll can land while the code runs between two requests (one ended,
/// the next not sent yet), which is no wait on a timer.
/// </summary>
public static class Clock
{
    public const int SettlePolls = 2;

    public static async Task<T> DriveAsync<T>(this FakeTimeProvider clock, Task<T> operation, TimeSpan step, Func<bool> idle, int maxSteps = 5000)
    {
        var quiet = 0;
        for (var i = 0; i < maxSteps * SettlePolls && !operation.IsCompleted; i++)
        {
            await Task.WhenAny(operation, Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System)).ConfigureAwait(false);
            quiet = !operation.IsCompleted && idle() ? quiet + 1 : 0;
            if (quiet == SettlePolls)
            {
                clock.Advance(step);
                quiet = 0;
            }
        }

        Assert.True(operation.IsCompleted, $"operation still pending after {maxSteps} steps");
        return await operation.ConfigureAwait(false);
    }
}

/// <summary>
/// Tracks requests between the client and the network, body included, so a test knows when none is in flight; each
/// carries its id in <see cref="IdHeader"/>, so the fake server can say which of them it hangs on.
/// </summary>
public sealed class InFlightHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    public const string IdHeader = "X-Test-Request-Id";

    private static long lastId;
    private readonly ConcurrentDictionary<string, byte> inFlight = new(StringComparer.Ordinal);

    /// <summary>The ids of the requests in flight now.</summary>
    public ICollection<string> InFlight => inFlight.Keys;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref lastId).ToString(CultureInfo.InvariantCulture);
        request.Headers.Remove(IdHeader); // a retry sends the same message again
        request.Headers.TryAddWithoutValidation(IdHeader, id);
        inFlight[id] = 0;
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return response;
        }
        finally
        {
            inFlight.TryRemove(id, out _);
        }
    }
}
