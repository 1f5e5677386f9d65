using CryptoIndex.MarketData;
using CryptoIndex.Operator;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// The operator as it runs (OperatorApp, leader election on) against a LocalKube with the CRD, prices from a file,
/// its /healthz, /readyz and /metrics served over HTTP on a free port.
/// </summary>
public sealed class RunningOperator : IAsyncDisposable
{
    private readonly HttpClient _http;

    private RunningOperator(LocalKubeCluster cluster, WebApplication app, Uri address)
    {
        Cluster = cluster;
        App = app;
        _http = new HttpClient { BaseAddress = address };
    }

    public LocalKubeCluster Cluster { get; }

    public WebApplication App { get; }

    // binance: where funds' Binance requests go (a local fake), or null for Binance itself.
    public static async Task<RunningOperator> StartAsync(string pricesFile, Uri? binance = null)
    {
        var cluster = await LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync(await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "crds", "cryptoindex.io_indexfunds.yaml")));
        var app = OperatorApp.Build(new OperatorAppOptions
        {
            Port = 0,
            ClientConfiguration = new KubernetesClientConfiguration { Host = cluster.Url.GetLeftPart(UriPartial.Authority) },
            LeaderElection = true, // so leader_election_master_status is exported, as in the chart's default
            LeaseNamespace = "default",
            MarketData = new PriceProviderSettings { FilePath = pricesFile },
            BinanceBaseAddress = binance,
            Registry = Prometheus.Metrics.NewCustomRegistry(),
        });
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new RunningOperator(cluster, app, new Uri($"http://127.0.0.1:{bound.Port}/"));
    }

    /// <summary>GET /metrics, as Prometheus scrapes it.</summary>
    public Task<string> ScrapeAsync() => _http.GetStringAsync(new Uri("metrics", UriKind.Relative));

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
