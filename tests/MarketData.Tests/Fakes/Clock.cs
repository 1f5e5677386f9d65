using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.MarketData.Tests.Fakes;

/// <summary>
/// Runs an operation that mixes real loopback HTTP with timers on a <see cref="FakeTimeProvider"/>. The fake clock
/// moves forward by <c>step</c> only when <c>idle</c> says nothing is in flight except what the fake server hangs on
/// purpose, i.e. when the code under test can only be waiting on a timer (backoff, Retry-After, a timeout, a rate
/// limit). So every delay passes on the fake clock alone, and a slow machine cannot fire a timeout early; the short
/// real pause just lets loopback I/O progress, and the step count bounds the test.
/// </summary>
public static class Clock
{
    public static async Task<T> DriveAsync<T>(this FakeTimeProvider clock, Task<T> operation, TimeSpan step, Func<bool> idle, int maxSteps = 5000)
    {
        for (var i = 0; i < maxSteps && !operation.IsCompleted; i++)
        {
            await Task.WhenAny(operation, Task.Delay(TimeSpan.FromMilliseconds(1), TimeProvider.System)).ConfigureAwait(false);
            if (!operation.IsCompleted && idle())
            {
                clock.Advance(step);
            }
        }

        Assert.True(operation.IsCompleted, $"operation still pending after {maxSteps} steps");
        return await operation.ConfigureAwait(false);
    }
}

/// <summary>
/// Counts requests between the client and the network, body included, so a test knows when none is in flight.
/// </summary>
public sealed class InFlightHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private int inFlight;

    public int InFlight => Volatile.Read(ref inFlight);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref inFlight);
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return response;
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }
}
