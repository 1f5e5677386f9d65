using CryptoIndex.Operator.Runtime;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than an inner clock (the system's), from a start time:
/// at 3600 an hour passes every second, so refresh intervals, thresholds and minimum intervals play out while a person
/// watches. Timers fire after their due time divided by the speed (at most <see cref="TimerLimits.MaxDelay"/>);
/// timestamps advance at the same pace.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider inner;
    private readonly DateTimeOffset start;
    private readonly long origin;

    public ScaledTimeProvider(DateTimeOffset start, double speed, TimeProvider? inner = null)
    {
        if (!double.IsFinite(speed) || speed <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "the speed must be a positive number");
        }

        this.inner = inner ?? System;
        this.start = start;
        Speed = speed;
        origin = this.inner.GetTimestamp();
    }

    public double Speed { get; }

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => start + (inner.GetElapsedTime(origin) * Speed);

    public override long GetTimestamp() => origin + (long)((inner.GetTimestamp() - origin) * Speed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(inner.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    // Below speed 1 a scaled time grows and can pass what the inner clock's timers take (it threw): such a timer fires
    // at the longest one instead, ~49.7 real days, which no sandbox session lasts.
    private TimeSpan Scale(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero
            ? span
            : TimeSpan.FromTicks((long)Math.Clamp(span.Ticks / Speed, 1, TimerLimits.MaxDelay.Ticks));

    private sealed class ScaledTimer(ITimer timer, ScaledTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(clock.Scale(dueTime), clock.Scale(period));

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
