using CryptoIndex.Operator.Runtime.Cache;
using Prometheus;

namespace CryptoIndex.Operator.Runtime.Metrics;

/// <summary>
/// The Prometheus metrics, with controller-runtime's exact names, labels and buckets so existing dashboards work.
/// One instance per registry; several operators in one process (tests) each get their own registry.
/// </summary>
public sealed class RuntimeMetrics
{
    // controller-runtime pkg/internal/controller/metrics: reconcile time buckets.
    private static readonly double[] ReconcileBuckets =
    [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ];

    public RuntimeMetrics(CollectorRegistry? registry = null)
    {
        Registry = registry ?? Prometheus.Metrics.NewCustomRegistry();
        var f = Prometheus.Metrics.WithCustomRegistry(Registry);
        ReconcileTotal = f.CreateCounter("controller_runtime_reconcile_total",
            "Total number of reconciliations per controller", ["controller", "result"]);
        ReconcileErrors = f.CreateCounter("controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller", ["controller"]);
        TerminalReconcileErrors = f.CreateCounter("controller_runtime_terminal_reconcile_errors_total",
            "Total number of terminal reconciliation errors per controller", ["controller"]);
        ReconcilePanics = f.CreateCounter("controller_runtime_reconcile_panics_total",
            "Total number of reconciliation panics per controller", ["controller"]);
        ReconcileTime = f.CreateHistogram("controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            new HistogramConfiguration { LabelNames = ["controller"], Buckets = ReconcileBuckets });
        ReconcileTimeouts = f.CreateCounter("controller_runtime_reconcile_timeouts_total",
            "Total number of reconciliation timeouts per controller", ["controller"]);
        MaxConcurrentReconciles = f.CreateGauge("controller_runtime_max_concurrent_reconciles",
            "Maximum number of concurrent reconciles per controller", ["controller"]);
        ActiveWorkers = f.CreateGauge("controller_runtime_active_workers",
            "Number of currently used workers per controller", ["controller"]);

        var queueBuckets = Histogram.ExponentialBuckets(1e-8, 10, 12);
        QueueDepth = f.CreateGauge("workqueue_depth", "Current depth of workqueue", ["name", "controller", "priority"]);
        QueueAdds = f.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue", ["name", "controller"]);
        QueueLatency = f.CreateHistogram("workqueue_queue_duration_seconds",
            "How long in seconds an item stays in workqueue before being requested",
            new HistogramConfiguration { LabelNames = ["name", "controller"], Buckets = queueBuckets });
        WorkDuration = f.CreateHistogram("workqueue_work_duration_seconds",
            "How long in seconds processing an item from workqueue takes",
            new HistogramConfiguration { LabelNames = ["name", "controller"], Buckets = queueBuckets });
        UnfinishedWork = f.CreateGauge("workqueue_unfinished_work_seconds",
            "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.",
            ["name", "controller"]);
        LongestRunning = f.CreateGauge("workqueue_longest_running_processor_seconds",
            "How many seconds has the longest running processor for workqueue been running.", ["name", "controller"]);
        QueueRetries = f.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue",
            ["name", "controller"]);

        LeaderStatus = f.CreateGauge("leader_election_master_status",
            "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
            ["name"]);
        EventsDropped = f.CreateCounter("event_recorder_dropped_total",
            "Events not recorded because the API call failed (each is logged as a warning); the spam filter's drops are not counted.");
        WatchRestarts = f.CreateCounter("reflector_watch_restarts_total",
            "Times the reflector started its watch over, by why the last one ended (closed is the server's normal close; list_error: the list before it failed).",
            ["controller", "reason"]);
        RestRequests = f.CreateCounter("rest_client_requests_total",
            "Number of HTTP requests, partitioned by status code, method, and host.", ["code", "method", "host"]);
        MetricsAuthRequests = f.CreateCounter("metrics_auth_requests_total",
            "Requests to the secure /metrics by the outcome of their TokenReview and SubjectAccessReview (error: the API server could not be asked).",
            ["result"]);
    }

    public CollectorRegistry Registry { get; }

    public Counter ReconcileTotal { get; }

    public Counter ReconcileErrors { get; }

    public Counter TerminalReconcileErrors { get; }

    public Counter ReconcilePanics { get; }

    public Histogram ReconcileTime { get; }

    public Counter ReconcileTimeouts { get; }

    public Gauge MaxConcurrentReconciles { get; }

    public Gauge ActiveWorkers { get; }

    public Gauge QueueDepth { get; }

    public Counter QueueAdds { get; }

    public Histogram QueueLatency { get; }

    public Histogram WorkDuration { get; }

    public Gauge UnfinishedWork { get; }

    public Gauge LongestRunning { get; }

    public Counter QueueRetries { get; }

    public Gauge LeaderStatus { get; }

    public Counter RestRequests { get; }

    /// <summary>Watch restarts by reason (not controller-runtime's: client-go's reflector only logs them).</summary>
    public Counter WatchRestarts { get; }

    /// <summary>The <c>reason</c> labels of <see cref="WatchRestarts"/>.</summary>
    public static IReadOnlyList<string> WatchRestartReasons { get; } = ["closed", "expired", "idle_timeout", "error", "undecodable", "list_error"];

    /// <summary>The <c>reason</c> label for a watch that ended so, or for a failed list (null).</summary>
    public static string WatchRestartReason(WatchEnd? end) => end switch
    {
        WatchEnd.Closed => "closed",
        WatchEnd.Expired => "expired",
        WatchEnd.IdleTimeout => "idle_timeout",
        WatchEnd.Error => "error",
        WatchEnd.Undecodable => "undecodable",
        _ => "list_error",
    };

    /// <summary>Requests to the secure <c>/metrics</c> by outcome (not controller-runtime's: its filter only logs them).</summary>
    public Counter MetricsAuthRequests { get; }

    /// <summary>The <c>result</c> label of <see cref="MetricsAuthRequests"/>.</summary>
    public static string MetricsAuthResult(Hosting.AccessOutcome outcome) => outcome switch
    {
        Hosting.AccessOutcome.Allowed => "allowed",
        Hosting.AccessOutcome.Unauthenticated => "unauthenticated",
        Hosting.AccessOutcome.Forbidden => "forbidden",
        _ => "error",
    };

    /// <summary>Events the recorder gave up on (not controller-runtime's: its recorder only logs them).</summary>
    public Counter EventsDropped { get; }

    /// <summary>The registry in Prometheus text format (what <c>/metrics</c> serves).</summary>
    public async Task<string> ExportAsync(CancellationToken cancellationToken = default)
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream, cancellationToken).ConfigureAwait(false);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
