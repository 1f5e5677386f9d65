using CryptoIndex.Operator.Runtime.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>The secure metrics' review cache: answers kept for their time on the clock, and never more than its size.</summary>
public sealed class ReviewCacheTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly AccessDecision Allowed = new(AccessOutcome.Allowed, "prometheus");

    [Fact]
    public void An_answer_is_kept_until_its_time_is_up()
    {
        var clock = new FakeTimeProvider(Start);
        var cache = new ReviewCache(clock, TimeSpan.FromMinutes(1), 10);
        cache.Add("a", Allowed);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(Allowed, cache.Get("a"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(cache.Get("a"));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_flood_of_tokens_keeps_at_most_its_size_dropping_expired_answers_first_then_the_oldest()
    {
        var clock = new FakeTimeProvider(Start);
        var cache = new ReviewCache(clock, TimeSpan.FromMinutes(1), 3);
        cache.Add("old", Allowed);
        clock.Advance(TimeSpan.FromMinutes(2)); // "old" has expired
        cache.Add("a", Allowed);
        clock.Advance(TimeSpan.FromSeconds(1));
        cache.Add("b", Allowed);
        cache.Add("c", Allowed); // full: the expired one goes

        Assert.Equal(3, cache.Count);
        Assert.NotNull(cache.Get("a"));

        for (var i = 0; i < 1000; i++)
        {
            cache.Add("flood-" + i, new AccessDecision(AccessOutcome.Unauthenticated));
        }

        Assert.Equal(3, cache.Count);
        Assert.Null(cache.Get("a")); // the oldest went first
        Assert.NotNull(cache.Get("flood-999"));
    }

    [Fact]
    public void A_zero_time_or_size_keeps_nothing()
    {
        var clock = new FakeTimeProvider(Start);
        var noTime = new ReviewCache(clock, TimeSpan.Zero, 10);
        var noRoom = new ReviewCache(clock, TimeSpan.FromMinutes(1), 0);
        noTime.Add("a", Allowed);
        noRoom.Add("a", Allowed);

        Assert.Equal((0, 0), (noTime.Count, noRoom.Count));
    }
}
