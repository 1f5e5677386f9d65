using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Events;
using CryptoIndex.Operator.Runtime.Metrics;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>
/// The composition root: a .NET generic host (ASP.NET Core for the endpoints) with the API client, the manager
/// and its controllers, <c>/healthz</c> (run loop alive), <c>/readyz</c> (caches synced, leading or standing by)
/// and <c>/metrics</c> (on the same plain port, or, with <see cref="OperatorHostOptions.SecureMetrics"/>, over HTTPS on
/// its own port with authentication and authorization). The host's shutdown timeout covers the manager's graceful shutdown.
/// </summary>
public sealed class OperatorHost
{
    private readonly OperatorHostOptions _options;
    private readonly List<Func<IServiceProvider, Controller>> _controllers = [];

    private OperatorHost(WebApplicationBuilder web, OperatorHostOptions options)
    {
        Web = web;
        _options = options;
    }

    /// <summary>The underlying builder, for extra services and configuration.</summary>
    public WebApplicationBuilder Web { get; }

    /// <summary>A builder with Kestrel on <see cref="OperatorHostOptions.Port"/> and the runtime's services registered.</summary>
    public static OperatorHost CreateBuilder(OperatorHostOptions? options = null, string[]? args = null)
    {
        options ??= new OperatorHostOptions();
        var web = WebApplication.CreateSlimBuilder(args ?? []);
        // The slim builder pins the console format to "simple"; configuration (Logging:Console:FormatterName, e.g.
        // json from the Helm chart) chooses among the formatters AddConsole registers.
        web.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(console =>
        {
            if (web.Configuration["Logging:Console:FormatterName"] is { Length: > 0 } formatter)
            {
                console.FormatterName = formatter;
            }
        });
        var host = new OperatorHost(web, options);
        var services = web.Services;
        if (options.SecureMetrics is { } secure)
        {
            SecureMetricsListeners.Configure(web, options.BindAddress, options.Port, secure.Port);
            services.AddSingleton(secure);
            services.AddSingleton(sp => new MetricsCertificate(secure.CertDir, options.Component, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MetricsCertificate>>()));
            services.AddSingleton<MetricsAccessReviewer>();
        }
        else
        {
            web.WebHost.UseUrls("http://" + options.BindAddress + ":" + options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout ?? options.Manager.GracefulShutdownTimeout + TimeSpan.FromSeconds(5));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new RuntimeMetrics(options.Registry ?? Prometheus.Metrics.DefaultRegistry));
        services.AddSingleton<IKubernetes>(sp => new Kubernetes(ClientConfiguration(options), new RequestMetricsHandler(sp.GetRequiredService<RuntimeMetrics>())));
        services.AddSingleton(sp => new EventRecorder(sp.GetRequiredService<IKubernetes>(), options.Component, sp.GetRequiredService<TimeProvider>(),
            logger: sp.GetRequiredService<ILogger<EventRecorder>>(), metrics: sp.GetRequiredService<RuntimeMetrics>()));
        services.AddSingleton(sp =>
        {
            var manager = new Manager(sp.GetRequiredService<IKubernetes>(), options.Manager, sp.GetRequiredService<RuntimeMetrics>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>());
            foreach (var make in host._controllers)
            {
                manager.Add(make(sp));
            }

            return manager;
        });
        services.AddHostedService<ManagerService>();
        return host;
    }

    /// <summary>Adds a controller for <paramref name="type"/> whose reconciler comes from DI.</summary>
    public OperatorHost AddController<TReconciler>(string name, ResourceType type, ControllerOptions? options = null)
        where TReconciler : class, IReconciler
    {
        Web.Services.TryAddSingleton<TReconciler>();
        _controllers.Add(sp => new Controller(name, sp.GetRequiredService<IKubernetes>(), type, sp.GetRequiredService<TReconciler>(), options,
            sp.GetRequiredService<RuntimeMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        return this;
    }

    /// <summary>Builds the application with the probe and metrics endpoints mapped.</summary>
    public WebApplication Build()
    {
        var app = Web.Build();
        var manager = app.Services.GetRequiredService<Manager>();
        var metrics = app.Services.GetRequiredService<RuntimeMetrics>();
        app.MapGet("/healthz", () => manager.IsAlive ? Results.Text("ok") : Results.Text("run loop stopped", statusCode: 500));
        app.MapGet("/readyz", () => manager.IsReady ? Results.Text("ok") : Results.Text("not ready", statusCode: 503));
        if (_options.SecureMetrics is not null)
        {
            SecureMetricsListeners.LogCertificate(app);
            SecureMetricsEndpoint.Use(app);
        }

        app.MapMetrics("/metrics", metrics.Registry);
        return app;
    }

    /// <summary>
    /// As controller-runtime: explicit configuration, else <c>--kubeconfig</c>, else <c>KUBECONFIG</c>, else in-cluster
    /// (service account), else <c>~/.kube/config</c>; a flag or <c>KUBECONFIG</c> naming no file that exists is an
    /// error (<see cref="Kubeconfig.Resolve"/>), never passed over.
    /// </summary>
    private static KubernetesClientConfiguration ClientConfiguration(OperatorHostOptions options) =>
        options.ClientConfiguration ??
        (Kubeconfig.Resolve(options.Kubeconfig, Environment.GetEnvironmentVariable("KUBECONFIG"), File.Exists) is { } file
            ? KubernetesClientConfiguration.BuildConfigFromConfigFile(file)
            : KubernetesClientConfiguration.IsInCluster()
                ? KubernetesClientConfiguration.InClusterConfig()
                : KubernetesClientConfiguration.BuildConfigFromConfigFile());
}
