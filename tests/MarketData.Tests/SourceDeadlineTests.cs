using CryptoIndex.MarketData.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// Every source but the last has a deadline that keeps <see cref="MarketDataOptions.FallbackShare"/> of the refresh
/// timeout for the sources after it, counted from the refresh's start.
/// </summary>
public sealed class SourceDeadlineTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(40);

    [Fact]
    public void The_share_is_kept_for_the_later_sources_and_split_evenly_among_them()
    {
        var options = new MarketDataOptions { RefreshTimeout = Refresh };

        Assert.Equal(Refresh, options.DeadlineOf(0, 1));
        Assert.Equal([TimeSpan.FromSeconds(30), Refresh], [options.DeadlineOf(0, 2), options.DeadlineOf(1, 2)]);
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(35), Refresh], Enumerable.Range(0, 3).Select(i => options.DeadlineOf(i, 3)));
        Assert.Equal(Refresh, (options with { FallbackShare = 0 }).DeadlineOf(0, 2));
        Assert.Equal(TimeSpan.FromSeconds(90), new MarketDataOptions().DeadlineOf(0, 2)); // 1m30s of the default 2m
    }

    [Fact]
    public async Task Each_hanging_source_is_cut_off_at_its_own_deadline_and_the_last_one_serves()
    {
        var clock = new FakeTimeProvider(MarketHarness.Start);
        var first = new DelayedSource("first", Timeout.InfiniteTimeSpan, clock);
        var second = new DelayedSource("second", Timeout.InfiniteTimeSpan, clock);
        var last = new DelayedSource("last", TimeSpan.FromSeconds(4), clock);
        var service = Service([first, second, last], new MarketDataOptions { RefreshTimeout = Refresh }, clock);

        var snapshot = await Drive(clock, service, first, second, last);

        Assert.Equal(
            [
                "first: no answer by 30s into the refresh timeout of 40s (the rest is kept for second, last)",
                "second: no answer by 35s into the refresh timeout of 40s (the rest is kept for last)",
            ],
            snapshot.SourceFailures);
        Assert.Equal(("last", 1m), (snapshot.Quotes[MarketHarness.Btc].Source, snapshot.Quotes[MarketHarness.Btc].Price));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(35)], new[] { first, second, last }.Select(s => s.AskedAt - MarketHarness.Start));
    }

    [Fact]
    public async Task A_source_that_fails_early_leaves_the_fallback_all_the_time_that_is_left()
    {
        var clock = new FakeTimeProvider(MarketHarness.Start);
        var failing = new DelayedSource("failing", TimeSpan.FromSeconds(2), clock, fails: true);
        var slow = new DelayedSource("slow", TimeSpan.FromSeconds(36), clock);
        var service = Service([failing, slow], new MarketDataOptions { RefreshTimeout = Refresh }, clock);

        var snapshot = await Drive(clock, service, failing, slow);

        // 38 s in: far more than the fallback's 10 s share, still within the refresh timeout.
        Assert.Equal("slow", snapshot.Quotes[MarketHarness.Btc].Source);
        Assert.Equal("failing: down", Assert.Single(snapshot.SourceFailures));
    }

    [Fact]
    public async Task A_source_that_ignores_its_deadline_and_overruns_the_next_ones_leaves_it_cancelled_not_the_refresh_failed()
    {
        var clock = new FakeTimeProvider(MarketHarness.Start);
        var stubborn = new DelayedSource("stubborn", TimeSpan.FromSeconds(45), clock, ignoresCancellation: true, price: null);
        var next = new DelayedSource("next", TimeSpan.FromSeconds(1), clock);
        var service = Service([stubborn, next], new MarketDataOptions { RefreshTimeout = Refresh }, clock);

        var snapshot = await Drive(clock, service, stubborn, next);

        Assert.Equal("next: no answer within the refresh timeout of 40s", Assert.Single(snapshot.SourceFailures));
        Assert.False(snapshot.Quotes.ContainsKey(MarketHarness.Btc));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_share_out_of_range_is_refused_naming_the_setting(double share)
    {
        var options = new MarketDataOptions { FallbackShare = share };

        var error = Assert.Throws<ArgumentException>(() => Service([new DelayedSource("a", TimeSpan.Zero, TimeProvider.System)], options, TimeProvider.System));

        Assert.StartsWith("MarketDataOptions:FallbackShare must be from 0 to below 1 (a share of RefreshTimeout), not ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refresh_timeout_of_zero_is_refused_naming_the_setting() =>
        Assert.Equal("MarketData:Validation:RefreshTimeout must be above 0 and at most 1.00:00:00, not 00:00:00", new MarketDataOptions { RefreshTimeout = TimeSpan.Zero }.Problem("MarketData:Validation"));

    private static MarketDataService Service(IReadOnlyList<IPriceSource> sources, MarketDataOptions options, TimeProvider clock) =>
        new("test", sources, options, clock, new RecordingLogger<MarketDataService>(), new MarketDataMetrics(Metrics.NewCustomRegistry()));

    // The clock moves only while a source waits on it, so each is asked at the exact time the one before it ended.
    private static Task<MarketSnapshot> Drive(FakeTimeProvider clock, MarketDataService service, params DelayedSource[] sources) =>
        clock.DriveAsync(
            service.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), CancellationToken.None), TimeSpan.FromSeconds(1), () => sources.Any(s => s.Waiting));

    /// <summary>Answers BTC at <paramref name="price"/> after <paramref name="delay"/> on the clock, or fails then.</summary>
    private sealed class DelayedSource(
        string name, TimeSpan delay, TimeProvider clock, bool fails = false, bool ignoresCancellation = false, decimal? price = 1m) : IPriceSource
    {
        public string Name => name;

        public bool ReportsMarketCaps => false;

        public DateTimeOffset AskedAt { get; private set; }

        /// <summary>Whether the source waits on the clock now (its delay neither over nor cancelled).</summary>
        public bool Waiting => waiting is { IsCompleted: false };

        private Task? waiting;

        public async Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
        {
            AskedAt = clock.GetUtcNow();
            await (waiting = Task.Delay(delay, clock, ignoresCancellation ? CancellationToken.None : cancellationToken));
            return fails ? throw new PriceSourceException(name, "down")
                : price is { } p ? new SourceResult([new RawQuote(MarketHarness.Btc, p, null, clock.GetUtcNow())], [])
                : new SourceResult([], []);
        }
    }
}
