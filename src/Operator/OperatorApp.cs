using CryptoIndex.MarketData;
using CryptoIndex.Operator.Configuration;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Runtime.Hosting;
using CryptoIndex.Operator.Runtime.Leader;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator;

/// <summary>How to run the operator: where the API server is, the probe/metrics port, leader election, market data.</summary>
public sealed record OperatorAppOptions
{
    public int Port { get; init; } = 8081;

    public string? Kubeconfig { get; init; }

    /// <summary>An explicit API server (tests, the sandbox); wins over in-cluster and kubeconfig discovery.</summary>
    public KubernetesClientConfiguration? ClientConfiguration { get; init; }

    public bool LeaderElection { get; init; } = true;

    public string LeaseNamespace { get; init; } = "default";

    /// <summary>Funds reconciled in parallel; one fund's slow exchange holds one worker, never the others.</summary>
    public int MaxConcurrentReconciles { get; init; } = 4;

    /// <summary>Market-data settings; null reads them from configuration (<see cref="MarketDataConfiguration"/>).</summary>
    public PriceProviderSettings? MarketData { get; init; }

    public Prometheus.CollectorRegistry? Registry { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>The operator's composition root: the runtime's host with the IndexFund controller and its services.</summary>
public static class OperatorApp
{
    public const string Component = "cryptoindex-operator";

    public static WebApplication Build(OperatorAppOptions options, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = OperatorHost.CreateBuilder(new OperatorHostOptions
        {
            Port = options.Port,
            Component = Component,
            Kubeconfig = options.Kubeconfig,
            ClientConfiguration = options.ClientConfiguration,
            Registry = options.Registry,
            Manager = new ManagerOptions
            {
                LeaderElection = new LeaderElectionOptions { Enabled = options.LeaderElection, LeaseName = Component, LeaseNamespace = options.LeaseNamespace },
            },
        }, args);
        var services = host.Web.Services;
        services.AddSingleton(options.Time);
        services.AddSingleton(sp =>
        {
            var (settings, secret) = options.MarketData is { } given ? (given, null) : MarketDataConfiguration.Bind(host.Web.Configuration);
            if (secret is not null)
            {
                // The key is read once at start; it never appears in logs, status or events.
                var key = SecretReader.ReadAsync(sp.GetRequiredService<IKubernetes>(), secret, CancellationToken.None).GetAwaiter().GetResult();
                settings = settings with { CoinGecko = settings.CoinGecko with { ApiKey = key } };
            }

            var registry = options.Registry ?? Prometheus.Metrics.DefaultRegistry;
            return new MarketDataHub(settings, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>(), new MarketDataMetrics(registry));
        });
        var metricsRegistry = options.Registry ?? Prometheus.Metrics.DefaultRegistry;
        services.AddSingleton(new FundMetrics(metricsRegistry));
        services.AddSingleton(new CryptoIndex.Exchanges.ExchangeMetrics(metricsRegistry));
        host.AddController<FundReconciler>(
            "indexfund", FundReconciler.Funds, new Runtime.Controllers.ControllerOptions { MaxConcurrentReconciles = options.MaxConcurrentReconciles });
        return host.Build();
    }
}
