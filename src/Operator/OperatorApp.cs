using CryptoIndex.Exchanges;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Http;
using CryptoIndex.Operator.Configuration;
using CryptoIndex.Operator.ExchangeAccounts;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Runtime;
using CryptoIndex.Operator.Runtime.Hosting;
using CryptoIndex.Operator.Runtime.Leader;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator;

/// <summary>How to run the operator: where the API server is, the probe/metrics port, leader election, market data.</summary>
public sealed record OperatorAppOptions
{
    public int Port { get; init; } = 8081;

    /// <summary>Serve <c>/metrics</c> over HTTPS on its own port to authenticated, authorized clients only; null: plain on <see cref="Port"/>.</summary>
    public SecureMetricsOptions? SecureMetrics { get; init; }

    /// <summary>Where the port listens (see <see cref="Runtime.Hosting.OperatorHostOptions.BindAddress"/>).</summary>
    public string BindAddress { get; init; } = "0.0.0.0";

    public string? Kubeconfig { get; init; }

    /// <summary>An explicit API server (tests, the sandbox); wins over in-cluster and kubeconfig discovery.</summary>
    public KubernetesClientConfiguration? ClientConfiguration { get; init; }

    public bool LeaderElection { get; init; } = true;

    public string LeaseNamespace { get; init; } = "default";

    /// <summary>The leader Lease's name; two operators in one namespace need different names.</summary>
    public string LeaseName { get; init; } = OperatorApp.Component;

    /// <summary>Funds reconciled in parallel; one fund's slow exchange holds one worker, never the others.</summary>
    public int MaxConcurrentReconciles { get; init; } = 4;

    /// <summary>
    /// How long a stop waits for reconciles in flight (an order being sent) before abandoning them; keep it below the
    /// pod's termination grace period. An abandoned order is looked up by its client order id after the restart.
    /// </summary>
    public TimeSpan GracefulShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one fund's reconcile may take before it is cancelled and retried with backoff (a hung API or exchange
    /// call); null: no limit (the <c>run</c> command passes 5 minutes). Keep it above the market-data refresh timeout,
    /// which a reconcile may wait for. Measured on <see cref="ApiServerTime"/> when set.
    /// </summary>
    public TimeSpan? ReconcileTimeout { get; init; }

    /// <summary>The host's own stop timeout, in real time; null: <see cref="GracefulShutdownTimeout"/> plus 5 s.</summary>
    public TimeSpan? HostShutdownTimeout { get; init; }

    /// <summary>Namespaces whose IndexFunds are reconciled; empty: all namespaces.</summary>
    public IReadOnlyList<string> WatchNamespaces { get; init; } = [];

    /// <summary>Binance API address for every fund (a proxy, a local fake); null reads <c>Exchanges:Binance:BaseUrl</c>, else the fund's choice.</summary>
    public Uri? BinanceBaseAddress { get; init; }

    /// <summary>Why no fund may trade on Binance here (the sandbox: paper only), or null.</summary>
    public string? BinanceDisabled { get; init; }

    /// <summary>Market-data settings; null reads them from configuration (<see cref="MarketDataConfiguration"/>).</summary>
    public PriceProviderSettings? MarketData { get; init; }

    public Prometheus.CollectorRegistry? Registry { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The API server's clock, for the watch's timeouts and backoff; null: <see cref="Time"/> (the sandbox: real time under a fast clock).</summary>
    public TimeProvider? ApiServerTime { get; init; }

    /// <summary>Last word on the services (tests add log recorders; the sandbox its own sources).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }
}

/// <summary>The operator's composition root: the runtime's host with the IndexFund controller and its services.</summary>
public static class OperatorApp
{
    public const string Component = "cryptoindex-operator";

    /// <summary>The controller's name in logs and metrics (<c>controller</c> label); <c>indexfund/NS</c> per watched namespace.</summary>
    public const string ControllerName = "indexfund";

    /// <summary>Configuration key overriding the Binance API address of every fund.</summary>
    public const string BinanceBaseUrlSetting = "Exchanges:Binance:BaseUrl";

    public static WebApplication Build(OperatorAppOptions options, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var host = OperatorHost.CreateBuilder(new OperatorHostOptions
        {
            Port = options.Port,
            BindAddress = options.BindAddress,
            SecureMetrics = options.SecureMetrics,
            Component = Component,
            Kubeconfig = options.Kubeconfig,
            ClientConfiguration = options.ClientConfiguration,
            Registry = options.Registry,
            ShutdownTimeout = options.HostShutdownTimeout,
            Manager = new ManagerOptions
            {
                GracefulShutdownTimeout = options.GracefulShutdownTimeout,
                LeaderElection = new LeaderElectionOptions { Enabled = options.LeaderElection, LeaseName = options.LeaseName, LeaseNamespace = options.LeaseNamespace },
            },
        }, args);
        var services = host.Web.Services;
        services.AddSingleton(options.Time);
        // Bound now, not when first resolved: a setting out of range stops `run` with its key named, before anything starts.
        var (marketData, marketDataSecret) = options.MarketData is { } given ? (given, null) : MarketDataConfiguration.Bind(host.Web.Configuration);
        services.AddSingleton(sp =>
        {
            var (settings, secret) = (marketData, marketDataSecret);
            var time = sp.GetRequiredService<TimeProvider>();
            RefreshedSecret? coinGeckoKey = null;
            if (secret is not null)
            {
                // The key is read at start (a Secret that cannot be read stops the operator), then again at most once a
                // minute, so that a rotated key is used without a restart; it never appears in logs, status or events.
                var client = sp.GetRequiredService<IKubernetes>();
                var key = SecretReader.ReadAsync(client, secret, CancellationToken.None).GetAwaiter().GetResult();
                settings = settings with { CoinGecko = settings.CoinGecko with { ApiKey = key } };
                coinGeckoKey = new RefreshedSecret(client, secret, key, time, sp.GetRequiredService<ILogger<RefreshedSecret>>());
            }

            var registry = options.Registry ?? Prometheus.Metrics.DefaultRegistry;
            var hub = new MarketDataHub(
                settings, time, sp.GetRequiredService<ILoggerFactory>(), new MarketDataMetrics(registry), coinGeckoKey: coinGeckoKey is null ? null : coinGeckoKey.GetAsync);
            registry.AddBeforeCollectCallback(hub.UpdateAgeMetrics); // price ages are measured when scraped
            return hub;
        });
        var metricsRegistry = options.Registry ?? Prometheus.Metrics.DefaultRegistry;
        services.AddSingleton(new FundMetrics(metricsRegistry));
        services.AddSingleton(new CryptoIndex.Exchanges.ExchangeMetrics(metricsRegistry));
        services.AddCryptoIndexExchanges();
        services.AddSingleton(new BinanceEndpoints(options.BinanceBaseAddress ?? BinanceBaseUrl(host.Web.Configuration.GetSection("Exchanges")), options.BinanceDisabled));
        services.AddSingleton<BinanceAccounts>();
        options.ConfigureServices?.Invoke(services);
        var controllerOptions = new Runtime.Controllers.ControllerOptions
        {
            MaxConcurrentReconciles = options.MaxConcurrentReconciles,
            ReconcileTimeout = options.ReconcileTimeout,
            Reflector = new Runtime.Cache.ReflectorOptions { Time = options.ApiServerTime },
            Predicate = Funds.RebalanceFinalizer.Predicate(Runtime.Controllers.Predicates.Default()),
        };
        if (options.WatchNamespaces.Count == 0)
        {
            host.AddController<FundReconciler>(ControllerName, FundReconciler.Funds, controllerOptions);
        }
        else
        {
            // One watch per namespace (a namespaced Role suffices); each has its own queue and workers.
            foreach (var ns in options.WatchNamespaces.Distinct(StringComparer.Ordinal))
            {
                host.AddController<FundReconciler>(ControllerName + "/" + ns, FundReconciler.Funds with { Namespace = ns }, controllerOptions);
            }
        }

        var app = host.Build();
        var funds = app.Services.GetRequiredService<FundMetrics>();
        app.Services.GetRequiredService<Manager>().LeadershipLost += funds.ForgetAll;
        return app;
    }

    /// <summary>
    /// <c>Exchanges:Binance:BaseUrl</c>, or null (the fund's choice) when it is not set or empty; a bad value stops
    /// <c>run</c> naming the key, and so does any other key under <c>Exchanges</c> (a misspelled one would otherwise
    /// send real orders to Binance's own address while the user believes they go through the proxy).
    /// </summary>
    private static Uri? BinanceBaseUrl(IConfigurationSection exchanges)
    {
        ConfigurationValues.RefuseUnknownKeys(exchanges, ["Binance"]);
        var binance = exchanges.GetSection("Binance");
        ConfigurationValues.RefuseUnknownKeys(binance, ["BaseUrl"]);
        var url = ConfigurationValues.GetBaseUrl(binance, "BaseUrl");
        return url is not null && HttpUrls.Problem(BinanceBaseUrlSetting, url, CryptoIndex.Exchanges.Binance.BinanceOptions.Production) is { } problem
            ? throw new ConfigurationException(problem)
            : url;
    }
}
