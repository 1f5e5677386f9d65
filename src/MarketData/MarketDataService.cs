using Microsoft.Extensions.Logging;

namespace CryptoIndex.MarketData;

/// <summary>
/// One price cache shared by every fund that uses the same provider. It fetches the union of all tracked assets in one
/// refresh, however many funds ask (concurrent callers share the refresh in flight), tries the sources in order and
/// asks each next source only for the assets still missing, validates every value against the last accepted one, and
/// keeps the latest accepted quote of each asset with the time it was observed. Nothing a source does — an exception,
/// a hang, an absurd value — can fault the refresh: it becomes a failure of that source or a rejected value.
/// </summary>
public sealed partial class MarketDataService
{
    private const decimal SameLevel = 0.05m;

    private readonly IReadOnlyList<IPriceSource> sources;
    private readonly MarketDataOptions options;
    private readonly QuoteValidator validator;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly MarketDataMetrics metrics;
    private readonly Lock sync = new();
    private readonly HashSet<AssetRef> tracked = [];

    // When each tracked asset was last asked for, and at what refresh interval: an asset no fund asks for any more
    // (a fund deleted, a constituent removed) is forgotten after a while (see ForgetUnrequested).
    private readonly Dictionary<AssetRef, (DateTimeOffset At, TimeSpan Interval)> requested = [];
    private readonly Dictionary<AssetRef, PriceQuote> accepted = [];
    private readonly Dictionary<AssetRef, (decimal Price, int Count, long Refresh)> jumps = [];
    private long refreshNumber;
    private readonly HashSet<(AssetRef Asset, string Source, RejectionReason Reason)> loggedRejections = [];
    private MarketSnapshot current = MarketSnapshot.Empty;
    private Task<MarketSnapshot>? refreshing;

    public MarketDataService(
        string provider,
        IReadOnlyList<IPriceSource> sources,
        MarketDataOptions options,
        TimeProvider time,
        ILogger<MarketDataService> logger,
        MarketDataMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        if (sources.Count == 0)
        {
            throw new ArgumentException("at least one price source is needed", nameof(sources));
        }

        if (options.Problem(nameof(MarketDataOptions)) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        Provider = provider;
        this.sources = sources;
        this.options = options;
        validator = new QuoteValidator(options.MaxPriceJump);
        this.time = time;
        this.logger = logger;
        this.metrics = metrics;
    }

    /// <summary>The provider name funds use for this cache (<c>coingecko</c>, <c>binance</c>, <c>file</c>).</summary>
    public string Provider { get; }

    /// <summary>The latest snapshot, without refreshing.</summary>
    public MarketSnapshot Current
    {
        get
        {
            lock (sync)
            {
                return current;
            }
        }
    }

    /// <summary>
    /// Adds assets to the union fetched at every refresh (for example every fund known at start, before the first
    /// reconcile, so that the first refresh already covers them all).
    /// </summary>
    public void Track(IEnumerable<AssetRef> assets)
    {
        ArgumentNullException.ThrowIfNull(assets);
        lock (sync)
        {
            tracked.UnionWith(assets);
            Requested(assets, TrackedInterval);
        }
    }

    /// <summary>
    /// Keeps only the assets some fund still uses (after a fund was deleted or changed its ids), so they are no longer
    /// fetched; their quotes are forgotten.
    /// </summary>
    public void Retain(IEnumerable<AssetRef> inUse)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        var keep = inUse.ToHashSet();
        lock (sync)
        {
            foreach (var asset in tracked.Union(accepted.Keys).Where(a => !keep.Contains(a)).ToList())
            {
                Forget(asset);
            }
        }
    }

    /// <summary>
    /// How long an asset no fund asks for stays fetched: three of the longest refresh interval it was asked at, and at
    /// least an hour (a fund in a long rebalance does not ask; the last quote is also the next one's jump baseline).
    /// </summary>
    internal static readonly TimeSpan MinimumRetention = TimeSpan.FromHours(1);

    // Assets tracked before any fund asked (at start): kept as if asked for at this interval.
    private static readonly TimeSpan TrackedInterval = TimeSpan.FromMinutes(10);

    private void Requested(IEnumerable<AssetRef> assets, TimeSpan interval)
    {
        var now = time.GetUtcNow();
        foreach (var asset in assets)
        {
            // The longest interval any fund asks at counts: a fund refreshing hourly must not lose its asset because a
            // faster one that shared it was deleted.
            requested[asset] = (now, requested.TryGetValue(asset, out var before) && before.Interval > interval ? before.Interval : interval);
        }
    }

    /// <summary>
    /// Stops fetching assets no fund asked for in three of their refresh intervals (at least <see cref="MinimumRetention"/>):
    /// they would cost provider requests and export a price age for a coin nobody holds, for ever. Called under the lock.
    /// </summary>
    private void ForgetUnrequested()
    {
        var now = time.GetUtcNow();
        foreach (var asset in tracked.Where(a => !requested.TryGetValue(a, out var r) || now - r.At > Max(3 * r.Interval, MinimumRetention)).ToList())
        {
            Forget(asset);
        }
    }

    private void Forget(AssetRef asset)
    {
        tracked.Remove(asset);
        requested.Remove(asset);
        jumps.Remove(asset);
        if (accepted.Remove(asset) && !accepted.Keys.Any(a => a.Symbol == asset.Symbol))
        {
            metrics.PriceAge.RemoveLabelled(Provider, asset.Symbol);
            metrics.RefreshInterval.RemoveLabelled(Provider, asset.Symbol);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// A snapshot that covers <paramref name="assets"/> and is younger than <paramref name="refreshInterval"/>:
    /// the cached one when it qualifies, otherwise the result of the refresh in flight or of a new one. Cancelling
    /// stops this caller's wait, never the shared refresh.
    /// </summary>
    public async Task<MarketSnapshot> GetSnapshotAsync(IReadOnlyCollection<AssetRef> assets, TimeSpan refreshInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        while (true)
        {
            Task<MarketSnapshot> refresh;
            lock (sync)
            {
                tracked.UnionWith(assets);
                Requested(assets, refreshInterval);
                if (Covers(current, assets) && current.RefreshedAt is { } at && time.GetUtcNow() - at < refreshInterval)
                {
                    return current;
                }

                refresh = refreshing ??= RefreshAsync();
            }

            var snapshot = await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);

            // A refresh that started before these assets were tracked does not cover them: take the next one.
            if (Covers(snapshot, assets))
            {
                return snapshot;
            }
        }
    }

    private static bool Covers(MarketSnapshot snapshot, IReadOnlyCollection<AssetRef> assets) =>
        assets.All(snapshot.RequestedAssets.Contains);

    private async Task<MarketSnapshot> RefreshAsync()
    {
        try
        {
            // Yield first so the caller's lock is released before any source is called.
            await Task.Yield();
            List<AssetRef> union;
            lock (sync)
            {
                ForgetUnrequested();
                union = [.. tracked.OrderBy(a => a.Symbol, StringComparer.Ordinal).ThenBy(a => a.CoinGeckoId, StringComparer.Ordinal)];
            }

            var snapshot = await FetchAllAsync(union).ConfigureAwait(false);
            lock (sync)
            {
                current = snapshot;
            }

            return snapshot;
        }
        finally
        {
            lock (sync)
            {
                refreshing = null;
            }
        }
    }

    private async Task<MarketSnapshot> FetchAllAsync(List<AssetRef> union)
    {
        Interlocked.Increment(ref refreshNumber);
        var started = time.GetTimestamp();
        var missing = union;
        var rejections = new List<PriceRejection>();
        var failures = new List<string>();
        for (var i = 0; i < sources.Count && missing.Count > 0; i++)
        {
            var result = await FetchFromAsync(i, missing, failures, started).ConfigureAwait(false);
            if (result is null)
            {
                continue;
            }

            var served = Accept(sources[i], result, rejections);
            missing = [.. missing.Where(a => !served.Contains(a))];
        }

        Dictionary<AssetRef, PriceQuote> quotes;
        lock (sync)
        {
            quotes = new Dictionary<AssetRef, PriceQuote>(accepted);
        }

        // Only what is still unserved is reported: a value one source got wrong and the next one got right is not a problem.
        var unserved = missing.ToHashSet();
        return new MarketSnapshot(time.GetUtcNow(), quotes, [.. rejections.Where(r => unserved.Contains(r.Asset))], failures, union.ToHashSet());
    }

    private async Task<SourceResult?> FetchFromAsync(int index, List<AssetRef> assets, List<string> failures, long refreshStarted)
    {
        // Each source has its own deadline, counted from the refresh's start: the earlier ones leave a share of the
        // refresh timeout to the later ones (MarketDataOptions.FallbackShare), so a slow primary cannot starve a healthy
        // fallback. A source that ignored its cancellation may have overrun this deadline: it then passes at once.
        var source = sources[index];
        var due = options.DeadlineOf(index, sources.Count);
        using var deadline = new CancellationTokenSource(Max(due - time.GetElapsedTime(refreshStarted), TimeSpan.Zero), time);
        var started = time.GetTimestamp();
        string reason;
        Exception? error;
        try
        {
            var result = await source.FetchAsync(assets, deadline.Token).ConfigureAwait(false);
            Observe(source.Name, "success", started);
            return result;
        }
        catch (PriceSourceException e)
        {
            (reason, error) = (e.Message, null);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested)
        {
            (reason, error) = (NoAnswer(index, due), e);
        }
#pragma warning disable CA1031 // Any other failure of one source must not fail the refresh that all funds share.
        catch (Exception e)
#pragma warning restore CA1031
        {
            (reason, error) = ($"{source.Name}: unexpected {e.GetType().Name}", e);
        }

        Observe(source.Name, "failure", started);
        failures.Add(reason);
        LogSourceFailed(error, source.Name, reason);
        return null;
    }

    /// <summary>Why source <paramref name="index"/> failed when its deadline, <paramref name="due"/> into the refresh, passed.</summary>
    private string NoAnswer(int index, TimeSpan due)
    {
        var timeout = Engine.Format.Duration(options.RefreshTimeout);
        return due >= options.RefreshTimeout
            ? $"{sources[index].Name}: no answer within the refresh timeout of {timeout}"
            : $"{sources[index].Name}: no answer by {Engine.Format.Duration(due)} into the refresh timeout of {timeout} "
                + $"(the rest is kept for {string.Join(", ", sources.Skip(index + 1).Select(s => s.Name))})";
    }

    private void Observe(string source, string outcome, long started)
    {
        metrics.Fetches.WithLabels(source, outcome).Inc();
        metrics.FetchDuration.WithLabels(source, outcome).Observe(time.GetElapsedTime(started).TotalSeconds);
        var failures = metrics.ConsecutiveFailures.WithLabels(source);
        if (outcome == "success")
        {
            failures.Set(0);
        }
        else
        {
            failures.Inc();
        }
    }

    /// <summary>Validates a source's values; returns the assets it served with an accepted value.</summary>
    private HashSet<AssetRef> Accept(IPriceSource source, SourceResult result, List<PriceRejection> rejections)
    {
        var served = new HashSet<AssetRef>();
        foreach (var rejection in result.Rejections)
        {
            Reject(rejection, rejections);
        }

        var now = time.GetUtcNow();
        foreach (var raw in result.Quotes)
        {
            PriceQuote? last;
            lock (sync)
            {
                accepted.TryGetValue(raw.Asset, out last);
            }

            var (quote, rejection) = validator.Validate(raw, source.Name, last, source.ReportsMarketCaps, now);
            if (rejection is { Reason: RejectionReason.AbsurdJump } && JumpHasHeld(raw))
            {
                (quote, rejection) = validator.Validate(raw, source.Name, last, source.ReportsMarketCaps, now, allowJump: true);
                LogJumpAccepted(raw.Symbol, raw.Price, last!.Price, options.AcceptJumpAfter);
            }

            if (quote is null)
            {
                Reject(rejection!, rejections);
                continue;
            }

            lock (sync)
            {
                accepted[raw.Asset] = quote;
                jumps.Remove(raw.Asset);
                loggedRejections.RemoveWhere(r => r.Asset == raw.Asset && r.Source == source.Name);
            }

            served.Add(raw.Asset);
        }

        return served;
    }

    /// <summary>
    /// Counts refreshes in a row at the same new level (within 5 %), once per refresh however many sources report it;
    /// true once there are enough of them.
    /// </summary>
    private bool JumpHasHeld(RawQuote raw)
    {
        lock (sync)
        {
            var refresh = Interlocked.Read(ref refreshNumber);
            var streak = jumps.TryGetValue(raw.Asset, out var seen) && Math.Abs(raw.Price - seen.Price) <= seen.Price * SameLevel
                ? (seen.Price, seen.Refresh == refresh ? seen.Count : seen.Count + 1, refresh)
                : (raw.Price, 1, refresh);
            jumps[raw.Asset] = streak;
            return options.AcceptJumpAfter > 0 && streak.Item2 >= options.AcceptJumpAfter;
        }
    }

    private void Reject(PriceRejection rejection, List<PriceRejection> rejections)
    {
        rejections.Add(rejection);
        metrics.Rejections.WithLabels(rejection.Source, LabelValue(rejection.Reason)).Inc();
        bool first;
        lock (sync)
        {
            first = loggedRejections.Add((rejection.Asset, rejection.Source, rejection.Reason));
        }

        // Logged once per asset, source and reason until that source serves the asset again: a feed stuck on a bad
        // value must not flood the logs.
        if (first)
        {
            LogRejected(rejection.Message);
        }
    }

    /// <summary>
    /// How long after a fund last asked for an asset, beyond its refresh interval, its price age is still exported. A
    /// cache no fund asks any more (its last fund deleted, or moved to another provider) is never refreshed again, so
    /// the age of what it holds would grow for ever and keep the stale-price alert firing; the quote itself is kept
    /// (see <see cref="MinimumRetention"/>). Shorter than that alert's default 15 minutes past the interval.
    /// </summary>
    internal static readonly TimeSpan AgeReportedFor = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Sets the price-age gauge for every accepted asset some fund still asks for, and beside it the longest refresh
    /// interval funds ask for it at, so that the stale-price alert does not take a price an hourly fund refreshes hourly
    /// for stale; call before a scrape.
    /// </summary>
    public void UpdateAgeMetrics()
    {
        var now = time.GetUtcNow();
        lock (sync)
        {
            foreach (var symbol in accepted.GroupBy(a => a.Key.Symbol, StringComparer.Ordinal))
            {
                var asked = symbol.Where(a => requested.TryGetValue(a.Key, out var r) && now - r.At <= r.Interval + AgeReportedFor).ToList();
                if (asked.Count == 0)
                {
                    metrics.PriceAge.RemoveLabelled(Provider, symbol.Key);
                    metrics.RefreshInterval.RemoveLabelled(Provider, symbol.Key);
                    continue;
                }

                metrics.PriceAge.WithLabels(Provider, symbol.Key).Set(asked.Max(a => (now - a.Value.ObservedAt).TotalSeconds));
                metrics.RefreshInterval.WithLabels(Provider, symbol.Key).Set(asked.Max(a => requested[a.Key].Interval).TotalSeconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Price source {Source} failed, trying the next one: {Reason}")]
    private partial void LogSourceFailed(Exception? error, string source, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected price: {Reason}")]
    private partial void LogRejected(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Symbol} moved from {Previous} to {Price} and held there for {Refreshes} refreshes: accepted as the new level")]
    private partial void LogJumpAccepted(string symbol, decimal price, decimal previous, int refreshes);

    /// <summary>A reason as a label value: lower snake case (<c>absurd_jump</c>), like every other label value here.</summary>
    internal static string LabelValue(RejectionReason reason) =>
        string.Concat(reason.ToString().Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
