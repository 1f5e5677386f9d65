using CryptoIndex.MarketData;
using CryptoIndex.Operator.Crd;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>The operator as it runs (OperatorApp: runtime, reconciler, exchanges) against a LocalKube with the CRD.</summary>
internal sealed class OperatorUnderTest : IAsyncDisposable
{
    private OperatorAppOptions options;

    private OperatorUnderTest(LocalKubeCluster cluster, OperatorAppOptions options, WebApplication app)
    {
        Cluster = cluster;
        this.options = options;
        App = app;
    }

    public LocalKubeCluster Cluster { get; }

    public WebApplication App { get; private set; }

    public Prometheus.CollectorRegistry Registry => options.Registry!;

    public static async Task<OperatorUnderTest> StartAsync(
        PriceProviderSettings marketData, TimeProvider? time = null, Uri? binance = null, Action<IServiceCollection>? services = null, TimeSpan? gracefulShutdown = null,
        Func<OperatorAppOptions, OperatorAppOptions>? configure = null, string[]? args = null)
    {
        var cluster = await LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "crds", CrdGenerator.FileName)));
        var options = new OperatorAppOptions
        {
            Port = 0,
            ClientConfiguration = new KubernetesClientConfiguration { Host = cluster.Url.GetLeftPart(UriPartial.Authority) },
            LeaderElection = false,
            MarketData = marketData,
            Registry = Prometheus.Metrics.NewCustomRegistry(),
            Time = time ?? TimeProvider.System,
            BinanceBaseAddress = binance,
            ConfigureServices = services,
            GracefulShutdownTimeout = gracefulShutdown ?? TimeSpan.FromSeconds(30),
        };
        options = configure?.Invoke(options) ?? options;
        var app = OperatorApp.Build(options, args);
        await app.StartAsync();
        return new OperatorUnderTest(cluster, options, app);
    }

    /// <summary>
    /// Stops the operator as a rollout would and starts a new one. On a fake <paramref name="clock"/>, time runs on
    /// while it stops, so a reconcile stuck in flight outlives the graceful-shutdown timeout and is abandoned.
    /// <paramref name="reconfigure"/> changes the new operator's options (a configuration change rolled out).
    /// </summary>
    public async Task RestartAsync(FakeTimeProvider? clock = null, Func<Task>? whileStopped = null, Func<OperatorAppOptions, OperatorAppOptions>? reconfigure = null)
    {
        var stopping = App.StopAsync();
        var limit = options.GracefulShutdownTimeout + TimeSpan.FromSeconds(1);
        var advanced = TimeSpan.Zero;
        while (clock is not null && !stopping.IsCompleted && advanced < limit)
        {
            // Small steps, just past the grace period and no further: time the test relies on (an exchange's receive
            // window) must not run out because this machine stops slowly.
            clock.Advance(TimeSpan.FromMilliseconds(100));
            advanced += TimeSpan.FromMilliseconds(100);
            await Task.WhenAny(stopping, Task.Delay(20));
        }

        await stopping;
        await App.DisposeAsync();
        if (whileStopped is not null)
        {
            await whileStopped();
        }

        // A new process starts with empty metrics: Registry (and ScrapeAsync) read the new one from here on.
        options = options with { Registry = Prometheus.Metrics.NewCustomRegistry() };
        options = reconfigure?.Invoke(options) ?? options;
        App = OperatorApp.Build(options);
        await App.StartAsync();
    }

    /// <summary>The operator's metrics as Prometheus would scrape them.</summary>
    public async Task<string> ScrapeAsync()
    {
        using var stream = new MemoryStream();
        await Registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
