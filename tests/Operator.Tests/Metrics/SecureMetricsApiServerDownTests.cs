using System.Net;
using System.Net.Sockets;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Runtime.Hosting;
using CryptoIndex.Operator.Tests.Testing;
using k8s;

namespace CryptoIndex.Operator.Tests.Metrics;

/// <summary>The secure /metrics when no API server answers at all: the scrape fails, it is never let through.</summary>
public sealed class SecureMetricsApiServerDownTests
{
    [Fact]
    public async Task With_the_API_server_unreachable_a_scrape_gets_503_not_the_metrics()
    {
        // A port nothing listens on: every review is refused at the connection.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var app = OperatorApp.Build(new OperatorAppOptions
        {
            Port = 0,
            BindAddress = "127.0.0.1",
            ClientConfiguration = new KubernetesClientConfiguration { Host = "http://127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            LeaderElection = false,
            MarketData = new PriceProviderSettings { FilePath = "no-prices.json" },
            Registry = Prometheus.Metrics.NewCustomRegistry(),
            GracefulShutdownTimeout = TimeSpan.FromSeconds(1),
            SecureMetrics = new SecureMetricsOptions { Port = 0 },
        });
        await app.StartAsync();
        try
        {
            using var scraper = new SecureMetricsScraper(app);

            var scrape = await scraper.ScrapeAsync("any-token");

            Assert.Equal((HttpStatusCode.ServiceUnavailable, "Authorization unavailable\n"), scrape);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
