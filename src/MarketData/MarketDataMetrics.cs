using Prometheus;

namespace CryptoIndex.MarketData;

/// <summary>
/// Prometheus metrics of the price cache. Registered in the given registry (not the process-wide default), so that
/// tests and several caches stay apart.
/// </summary>
public sealed class MarketDataMetrics
{
    public MarketDataMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        Fetches = factory.CreateCounter(
            "cryptoindex_price_requests_total", "Price fetches from a provider (all pages of one refresh), by outcome.", "provider", "outcome");
        // 0.05 s to 204.8 s: a fetch runs at most to the refresh's deadline (RefreshTimeout, 2 minutes by default), so a
        // slow one still lands in a finite bucket.
        FetchDuration = factory.CreateHistogram(
            "cryptoindex_price_request_duration_seconds",
            "Duration of price fetches from a provider, retries included, by outcome.",
            new HistogramConfiguration { LabelNames = ["provider", "outcome"], Buckets = Histogram.ExponentialBuckets(0.05, 2, 13) });
        Rejections = factory.CreateCounter(
            "cryptoindex_price_rejections_total", "Values from a provider that were rejected, by reason.", "provider", "reason");
        PriceAge = factory.CreateGauge(
            "cryptoindex_price_age_seconds", "Age of the latest accepted price of each asset at scrape time, per provider a fund can name.", "provider", "symbol");
        ConsecutiveFailures = factory.CreateGauge(
            "cryptoindex_price_consecutive_failures",
            "Fetches from a provider that failed in a row since its last success (0 after a success).",
            "provider");
        RefreshInterval = factory.CreateGauge(
            "cryptoindex_price_refresh_interval_seconds",
            "The longest spec.prices.refreshInterval at which funds ask for the asset: its price is due this often, so may be this old.",
            "provider", "symbol");
    }

    public Counter Fetches { get; }

    public Histogram FetchDuration { get; }

    public Counter Rejections { get; }

    /// <summary>
    /// Failures in a row per provider: lets the stale-price alert tell one failed fetch of a source asked every half
    /// hour (one failure in its window) from a source that keeps failing.
    /// </summary>
    public Gauge ConsecutiveFailures { get; }

    public Gauge PriceAge { get; }

    public Gauge RefreshInterval { get; }
}
