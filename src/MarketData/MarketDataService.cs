using Microsoft.Extensions.Logging;

namespace CryptoIndex.MarketData;

/// <summary>
/// One price cache shared by every fund that uses the same chain of sources. It fetches the union of all tracked
/// assets in one refresh, however many funds ask (concurrent callers share the refresh in flight), tries the sources
/// in order and asks each next source only for the assets still missing, validates every value against the last
/// accepted one, and keeps the latest accepted quote of each asset with the time it was observed.
/// </summary>
public sealed partial class MarketDataService
{
    private readonly IReadOnlyList<IPriceSource> sources;
    private readonly QuoteValidator validator;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly MarketDataMetrics metrics;
    private readonly Lock sync = new();
    private readonly Dictionary<string, AssetRef> tracked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PriceQuote> accepted = new(StringComparer.Ordinal);
    private readonly HashSet<(string Symbol, RejectionReason Reason)> loggedRejections = [];
    private MarketSnapshot current = MarketSnapshot.Empty;
    private Task<MarketSnapshot>? refreshing;

    public MarketDataService(
        IReadOnlyList<IPriceSource> sources, MarketDataOptions options, TimeProvider time, ILogger<MarketDataService> logger, MarketDataMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        if (sources.Count == 0)
        {
            throw new ArgumentException("at least one price source is needed", nameof(sources));
        }

        this.sources = sources;
        validator = new QuoteValidator(options.MaxPriceJump);
        this.time = time;
        this.logger = logger;
        this.metrics = metrics;
    }

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
        lock (sync)
        {
            TrackLocked(assets);
        }
    }

    /// <summary>
    /// A snapshot that covers <paramref name="assets"/> and is younger than <paramref name="refreshInterval"/>:
    /// the cached one when it qualifies, otherwise the result of the refresh in flight or of a new one.
    /// </summary>
    public async Task<MarketSnapshot> GetSnapshotAsync(IReadOnlyCollection<AssetRef> assets, TimeSpan refreshInterval, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        while (true)
        {
            Task<MarketSnapshot> refresh;
            lock (sync)
            {
                TrackLocked(assets);
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
        assets.All(a => snapshot.RequestedSymbols.Contains(a.Symbol));

    private void TrackLocked(IEnumerable<AssetRef> assets)
    {
        foreach (var asset in assets)
        {
            if (!tracked.TryAdd(asset.Symbol, asset) && tracked[asset.Symbol] != asset)
            {
                LogConflictingIds(asset.Symbol, tracked[asset.Symbol].ToString(), asset.ToString());
            }
        }
    }

    private async Task<MarketSnapshot> RefreshAsync()
    {
        try
        {
            // Yield first so the caller's lock is released before any source is called.
            await Task.Yield();
            List<AssetRef> union;
            lock (sync)
            {
                union = [.. tracked.Values.OrderBy(a => a.Symbol, StringComparer.Ordinal)];
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
        var missing = union;
        var rejections = new List<PriceRejection>();
        var failures = new List<string>();
        foreach (var source in sources)
        {
            if (missing.Count == 0)
            {
                break;
            }

            var result = await FetchFromAsync(source, missing, failures).ConfigureAwait(false);
            if (result is null)
            {
                continue;
            }

            var served = Accept(source, result, rejections);
            missing = [.. missing.Where(a => !served.Contains(a.Symbol))];
        }

        Dictionary<string, PriceQuote> quotes;
        lock (sync)
        {
            quotes = new Dictionary<string, PriceQuote>(accepted, StringComparer.Ordinal);
        }

        // Only what is still unserved is reported: a value one source got wrong and the next one got right is not a problem.
        var unserved = missing.Select(a => a.Symbol).ToHashSet(StringComparer.Ordinal);
        return new MarketSnapshot(
            time.GetUtcNow(),
            quotes,
            [.. rejections.Where(r => unserved.Contains(r.Symbol))],
            failures,
            union.Select(a => a.Symbol).ToHashSet(StringComparer.Ordinal));
    }

    private async Task<SourceResult?> FetchFromAsync(IPriceSource source, List<AssetRef> assets, List<string> failures)
    {
        var started = time.GetTimestamp();
        try
        {
            var result = await source.FetchAsync(assets, CancellationToken.None).ConfigureAwait(false);
            Observe(source.Name, "success", started);
            return result;
        }
        catch (PriceSourceException e)
        {
            Observe(source.Name, "failure", started);
            failures.Add(e.Message);
            LogSourceFailed(source.Name, e.Message);
            return null;
        }
    }

    private void Observe(string source, string outcome, long started)
    {
        metrics.Fetches.WithLabels(source, outcome).Inc();
        metrics.FetchDuration.WithLabels(source, outcome).Observe(time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Validates a source's values; returns the symbols it served with an accepted value.</summary>
    private HashSet<string> Accept(IPriceSource source, SourceResult result, List<PriceRejection> rejections)
    {
        var served = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rejection in result.Rejections)
        {
            Reject(rejection, rejections);
        }

        foreach (var raw in result.Quotes)
        {
            PriceQuote? last;
            lock (sync)
            {
                accepted.TryGetValue(raw.Symbol, out last);
            }

            var (quote, rejection) = validator.Validate(raw, source.Name, last, source.ReportsMarketCaps);
            if (quote is null)
            {
                Reject(rejection!, rejections);
                continue;
            }

            lock (sync)
            {
                accepted[quote.Symbol] = quote;
                loggedRejections.RemoveWhere(r => string.Equals(r.Symbol, quote.Symbol, StringComparison.Ordinal));
            }

            served.Add(quote.Symbol);
        }

        return served;
    }

    private void Reject(PriceRejection rejection, List<PriceRejection> rejections)
    {
        rejections.Add(rejection);
        metrics.Rejections.WithLabels(rejection.Source, rejection.Reason.ToString()).Inc();
        bool first;
        lock (sync)
        {
            first = loggedRejections.Add((rejection.Symbol, rejection.Reason));
        }

        // Logged once per asset and reason until the asset is accepted again: a feed stuck on a bad value must not flood logs.
        if (first)
        {
            LogRejected(rejection.Message);
        }
    }

    /// <summary>Sets the price-age gauge for every accepted asset; call before a scrape.</summary>
    public void UpdateAgeMetrics()
    {
        var now = time.GetUtcNow();
        lock (sync)
        {
            foreach (var quote in accepted.Values)
            {
                metrics.PriceAge.WithLabels(quote.Symbol).Set((now - quote.ObservedAt).TotalSeconds);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Price source {Source} failed, trying the next one: {Reason}")]
    private partial void LogSourceFailed(string source, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected price: {Reason}")]
    private partial void LogRejected(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Funds give different price ids for {Symbol}: using {First}, ignoring {Other}")]
    private partial void LogConflictingIds(string symbol, string first, string other);
}
