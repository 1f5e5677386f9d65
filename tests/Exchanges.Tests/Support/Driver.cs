using CryptoIndex.Exchanges.Execution;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Exchanges.Tests.Support;

/// <summary>
/// Plays the reconciler: calls the executor, and when it answers "waiting until t" moves the fake clock to t and
/// calls again, as a requeue would. Bounded, so a rebalance that never finishes fails the test instead of hanging.
/// </summary>
public static class Driver
{
    public static async Task<ExecutionResult> RunToEndAsync(RebalanceExecutor executor, RebalanceStart start, FakeTimeProvider time, int maxCalls = 200)
    {
        var result = await executor.StartAsync(start, CancellationToken.None);
        for (var calls = 1; result.Status == ExecutionStatus.Waiting || result.RetryAt is not null && result.Status == ExecutionStatus.NotStarted; calls++)
        {
            Assert.True(calls < maxCalls, $"rebalance still waiting after {calls} calls: {result.Reason}");
            var delay = result.RetryAt!.Value - time.GetUtcNow();
            if (delay > TimeSpan.Zero)
            {
                time.Advance(delay);
            }

            result = result.Status == ExecutionStatus.NotStarted
                ? await executor.StartAsync(start, CancellationToken.None)
                : await executor.ResumeAsync(start.FundUid, CancellationToken.None);
        }

        return result;
    }

    /// <summary>Runs until done or until the crash switch stops the "process"; true when it crashed.</summary>
    public static async Task<bool> RunUntilCrashAsync(RebalanceExecutor executor, RebalanceStart start, FakeTimeProvider time)
    {
        try
        {
            await RunToEndAsync(executor, start, time);
            return false;
        }
        catch (SimulatedCrashException)
        {
            return true;
        }
    }
}
