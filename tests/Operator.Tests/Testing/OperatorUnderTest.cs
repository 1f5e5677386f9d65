using CryptoIndex.MarketData;
using CryptoIndex.Operator.Crd;
using CryptoIndex.TestCluster;
using CryptoIndex.TestCluster.Testing;
using k8s;
using Microsoft.AspNetCore.Builder;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>The operator as it runs (OperatorApp: runtime, reconciler, paper exchange) against a TestCluster with the CRD.</summary>
internal sealed class OperatorUnderTest : IAsyncDisposable
{
    private OperatorUnderTest(KubeTestCluster cluster, WebApplication app, Prometheus.CollectorRegistry registry)
    {
        Cluster = cluster;
        App = app;
        Registry = registry;
    }

    public KubeTestCluster Cluster { get; }

    public WebApplication App { get; }

    public Prometheus.CollectorRegistry Registry { get; }

    public static async Task<OperatorUnderTest> StartAsync(PriceProviderSettings marketData, TimeProvider? time = null)
    {
        var cluster = await KubeTestCluster.StartAsync();
        await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "crds", CrdGenerator.FileName)));
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var app = OperatorApp.Build(new OperatorAppOptions
        {
            Port = 0,
            ClientConfiguration = new KubernetesClientConfiguration { Host = cluster.Url.GetLeftPart(UriPartial.Authority) },
            LeaderElection = false,
            MarketData = marketData,
            Registry = registry,
            Time = time ?? TimeProvider.System,
        });
        await app.StartAsync();
        return new OperatorUnderTest(cluster, app, registry);
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
