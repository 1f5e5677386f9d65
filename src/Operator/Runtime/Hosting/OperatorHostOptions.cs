using k8s;
using Prometheus;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>Host settings: where probes and metrics are served, how to reach the API server, and the manager.</summary>
public sealed record OperatorHostOptions
{
    /// <summary>Port for <c>/healthz</c>, <c>/readyz</c> and, unless <see cref="SecureMetrics"/> is set, <c>/metrics</c> (kubebuilder's probe port; 0 picks a free one).</summary>
    public int Port { get; init; } = 8081;

    /// <summary>Serve <c>/metrics</c> over HTTPS on its own port, to authenticated and authorized clients only; null: plain on <see cref="Port"/>.</summary>
    public SecureMetricsOptions? SecureMetrics { get; init; }

    /// <summary>The address <see cref="Port"/> listens on: every interface in a pod (probes, Prometheus); loopback for a local sandbox.</summary>
    public string BindAddress { get; init; } = "0.0.0.0";

    /// <summary>Component name used for Events and as the status field manager.</summary>
    public string Component { get; init; } = "operator";

    /// <summary>
    /// Kubeconfig path (wins over in-cluster; must exist); null uses the first file of <c>KUBECONFIG</c> that exists (one
    /// must, if it is set), else in-cluster, else <c>~/.kube/config</c>.
    /// </summary>
    public string? Kubeconfig { get; init; }

    /// <summary>An explicit client configuration (tests); wins over in-cluster and kubeconfig discovery.</summary>
    public KubernetesClientConfiguration? ClientConfiguration { get; init; }

    /// <summary>Metrics registry; null uses prometheus-net's default registry (with the process and .NET collectors).</summary>
    public CollectorRegistry? Registry { get; init; }

    public ManagerOptions Manager { get; init; } = new();

    /// <summary>
    /// How long the host waits for everything to stop, in real time; null: the manager's grace period plus 5 s (the
    /// sandbox's grace period is on its fast clock, so it sets this itself).
    /// </summary>
    public TimeSpan? ShutdownTimeout { get; init; }
}
