using CryptoIndex.Operator.Sandbox;

namespace CryptoIndex.Operator.Tests.Sandbox;

public sealed class SandboxClockTextTests
{
    private static readonly DateTimeOffset End = new(2026, 11, 29, 1, 47, 14, TimeSpan.Zero);
    private static readonly DateTimeOffset TwoHoursBefore = End - TimeSpan.FromHours(2);

    [Fact]
    public void Live_prices_run_in_real_time_and_are_not_called_simulated()
    {
        Assert.Equal("time 2026-11-29T01:47:14Z\n", SandboxClockText.Header(End, simulated: false));
        Assert.Equal("simulated time 2026-11-29T01:47:14Z\n", SandboxClockText.Header(End, simulated: true));
        Assert.Equal(
            "sandbox: stopped at 2026-11-29T01:47:14Z; final summary:",
            SandboxClockText.Stopped(TwoHoursBefore, End, End + TimeSpan.FromHours(1), simulated: false, speed: 1, historyEnded: false));
    }

    [Fact]
    public void A_summary_taken_simulated_hours_after_the_end_says_as_of_when()
    {
        // --duration 2h at --speed 100000: the half second it took to stop was 15 simulated hours, in which funds traded.
        Assert.Equal(
            "sandbox: stopped at 2026-11-29T01:47:14Z (simulated); the summary is as of 2026-11-29T17:18:00Z: at --speed 100000 "
            + "stopping took that much simulated time, and funds traded in it; final summary:",
            SandboxClockText.Stopped(TwoHoursBefore, End, new DateTimeOffset(2026, 11, 29, 17, 18, 0, TimeSpan.Zero), simulated: true, speed: 100_000, historyEnded: false));
    }

    [Fact]
    public void A_summary_taken_within_a_tenth_of_the_run_after_its_end_is_the_end_s()
    {
        // Six days replayed at 43200x; the summary 40 simulated minutes (56 real ms) after the history ended.
        Assert.Equal(
            "sandbox: stopped at 2026-11-29T01:47:14Z (simulated); the replayed history ended; final summary:",
            SandboxClockText.Stopped(End - TimeSpan.FromDays(6), End, End + TimeSpan.FromMinutes(40), simulated: true, speed: 43_200, historyEnded: true));
        Assert.Equal(
            "sandbox: stopped at 2026-11-29T01:47:14Z (simulated); final summary:",
            SandboxClockText.Stopped(TwoHoursBefore, End, End + TimeSpan.FromSeconds(59), simulated: true, speed: 3600, historyEnded: false));
    }
}
