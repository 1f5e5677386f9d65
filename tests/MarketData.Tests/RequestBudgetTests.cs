using CryptoIndex.MarketData.Http;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.MarketData.Tests;

/// <summary>The sliding-window budget on its own, on a fake clock (no I/O, so time moves only when the test says).</summary>
public sealed class RequestBudgetTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Each_request_is_granted_exactly_when_the_window_allows_it()
    {
        await Gen.Int[1, 10].Select(Gen.Int[0, 30].Array[Gen.Int[1, 60]], (limit, gaps) => (limit, gaps)).SampleAsync(async (limit, gaps) =>
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
            using var budget = new RequestBudget(limit, Window, clock);
            var granted = new List<DateTimeOffset>();

            // Requests arrive one after another with the given gaps (seconds) after the previous grant.
            foreach (var gap in gaps)
            {
                clock.Advance(TimeSpan.FromSeconds(gap));
                var arrival = clock.GetUtcNow();
                var take = budget.TakeAsync(CancellationToken.None);
                while (!take.IsCompleted)
                {
                    clock.Advance(Step);
                }

                await take;
                granted.Add(clock.GetUtcNow());

                // Oracle: granted at arrival, or once the request `limit` grants back leaves the window (to one step).
                var i = granted.Count - 1;
                var expected = i >= limit && granted[i - limit] + Window > arrival ? granted[i - limit] + Window : arrival;
                Assert.InRange(granted[i], expected, expected + Step - TimeSpan.FromTicks(1));
            }
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task The_per_minute_budget_allows_for_transit_time()
    {
        var clock = new FakeTimeProvider();
        using var budget = RequestBudget.PerMinute(1, clock);
        await budget.TakeAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(60));

        var second = budget.TakeAsync(CancellationToken.None);
        Assert.False(second.IsCompleted);
        clock.Advance(RequestBudget.SafetyMargin);
        await second;
    }
}
