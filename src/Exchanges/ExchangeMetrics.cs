using Prometheus;

namespace CryptoIndex.Exchanges;

/// <summary>
/// Prometheus metrics of order execution, registered in the registry given (not the static default, so that each
/// test and each operator instance has its own).
/// </summary>
public sealed class ExchangeMetrics
{
    public ExchangeMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var factory = Metrics.WithCustomRegistry(registry);
        Orders = factory.CreateCounter(
            "cryptoindex_exchange_orders_total",
            "Market orders sent (each attempt), by exchange, side and outcome (filled, partial, open, rejected, unknown, retry_later).",
            new CounterConfiguration { LabelNames = ["exchange", "side", "outcome"] });
        OrderDuration = factory.CreateHistogram(
            "cryptoindex_exchange_order_duration_seconds",
            "Time from sending a market order to its answer (or error).",
            new HistogramConfiguration { LabelNames = ["exchange"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 12) });
        Lookups = factory.CreateCounter(
            "cryptoindex_exchange_order_lookups_total",
            "Look-ups of orders whose outcome was unknown, by exchange and result (found, not_found, error).",
            new CounterConfiguration { LabelNames = ["exchange", "result"] });
    }

    /// <summary>Metrics in a private registry, for callers that do not export them.</summary>
    public static ExchangeMetrics Unregistered() => new(Metrics.NewCustomRegistry());

    public Counter Orders { get; }

    public Histogram OrderDuration { get; }

    public Counter Lookups { get; }
}
