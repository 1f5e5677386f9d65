using Prometheus;

namespace CryptoIndex.Exchanges;

/// <summary>
/// Prometheus metrics of order execution and of the exchange's REST API, registered in the registry given (not the
/// static default, so that each test and each operator instance has its own).
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
        // "path", not "endpoint": the Prometheus Operator gives every target an endpoint label, which would rename ours.
        Requests = factory.CreateCounter(
            "cryptoindex_exchange_requests_total",
            "REST requests to the exchange (each attempt, retries included), by exchange, method, path (the API path, e.g. /api/v3/order) and status: 2xx, 3xx, 4xx, 403, 418, 429, 5xx, other, timeout, network.",
            new CounterConfiguration { LabelNames = ["exchange", "method", "path", "status"] });
        RequestDuration = factory.CreateHistogram(
            "cryptoindex_exchange_request_duration_seconds",
            "Time from sending a REST request to the exchange to its answer read in full, or to its timeout or connection failure.",
            new HistogramConfiguration { LabelNames = ["exchange", "method", "path"], Buckets = Histogram.ExponentialBuckets(0.01, 2, 12) });
        BackoffUntil = factory.CreateGauge(
            "cryptoindex_exchange_backoff_until_timestamp_seconds",
            "When the latest rate limit or IP ban of the exchange (HTTP 429, 418 or 403 with Retry-After) lifts, in Unix seconds; in the past once it has.",
            new GaugeConfiguration { LabelNames = ["exchange"] });
    }

    /// <summary>Metrics in a private registry, for callers that do not export them.</summary>
    public static ExchangeMetrics Unregistered() => new(Metrics.NewCustomRegistry());

    public Counter Orders { get; }

    public Histogram OrderDuration { get; }

    public Counter Lookups { get; }

    public Counter Requests { get; }

    public Histogram RequestDuration { get; }

    /// <summary>
    /// A timestamp rather than seconds remaining: it is right at every rule evaluation (<c>&gt; time()</c>) without the
    /// operator updating it, so an alert on it resolves when the back-off ends even if no request is sent meanwhile.
    /// </summary>
    public Gauge BackoffUntil { get; }

    /// <summary>
    /// The <c>status</c> label of an HTTP answer: its class, except the statuses Binance refuses a client with
    /// (403 WAF limit, 418 IP ban, 429 rate limit), which an alert must tell from a refused order or parameter.
    /// </summary>
    public static string StatusClass(int httpStatus) => httpStatus switch
    {
        403 or 418 or 429 => httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture),
        >= 200 and < 300 => "2xx",
        >= 300 and < 400 => "3xx",
        >= 400 and < 500 => "4xx",
        >= 500 and < 600 => "5xx",
        _ => "other",
    };

    /// <summary>
    /// Records that the exchange asked not to be called before <paramref name="until"/>. The latest deadline wins, so a
    /// short back-off of one account does not hide a longer ban of the operator's IP.
    /// </summary>
    public void BackOff(string exchange, DateTimeOffset until) =>
        BackoffUntil.WithLabels(exchange).IncTo(until.ToUnixTimeMilliseconds() / 1000d);
}
