using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Sandbox;

public sealed class ScaledTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Time_runs_speed_times_faster_from_the_start()
    {
        var real = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var clock = new ScaledTimeProvider(Start, speed: 3600, real);
        var before = clock.GetTimestamp();

        real.Advance(TimeSpan.FromSeconds(2.5));

        Assert.Equal(Start.AddHours(2.5), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromHours(2.5), clock.GetElapsedTime(before));
    }

    [Fact]
    public async Task Timers_and_delays_fire_after_the_scaled_time()
    {
        var real = new FakeTimeProvider(Start);
        var clock = new ScaledTimeProvider(Start, speed: 60, real);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2));
        var delay = Task.Delay(TimeSpan.FromMinutes(10), clock);

        real.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, fired);
        real.Advance(TimeSpan.FromMilliseconds(1)); // one real second: a simulated minute
        Assert.Equal(1, fired);
        real.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, fired);
        Assert.True(timer.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan));
        real.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(2, fired);
        real.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(3, fired);
        await delay.WaitAsync(TimeSpan.FromSeconds(5)); // ten simulated minutes were ten real seconds, long passed
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1e-12)]
    public void Below_speed_1_a_timer_longer_than_a_timer_takes_is_capped_not_refused(double speed)
    {
        // The system clock's timers refuse more than ~49.7 days; scaled below speed 1, a long delay asked for more and threw.
        var clock = new ScaledTimeProvider(Start, speed);

        using var timer = clock.CreateTimer(_ => { }, null, TimerLimits.MaxDelay, TimerLimits.MaxDelay);

        Assert.True(timer.Change(TimeSpan.FromDays(30), TimeSpan.FromDays(30)));
    }

    [Fact]
    public void A_capped_timer_fires_at_the_longest_timer()
    {
        var real = new FakeTimeProvider(Start);
        var clock = new ScaledTimeProvider(Start, speed: 0.5, real);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromDays(40), Timeout.InfiniteTimeSpan); // 80 real days

        real.Advance(TimerLimits.MaxDelay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, fired);
        real.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, fired);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void A_speed_must_be_positive(double speed) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScaledTimeProvider(Start, speed));
}
