using System.Net;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Runtime.Hosting;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.Exchanges.Tests.Support;
using CryptoIndex.LocalKube.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Tests.Metrics;

/// <summary>
/// The operator with <c>--metrics-secure</c> against LocalKube, on the real clock with a funded fund: /metrics over
/// HTTPS answers only a token the API server authenticates and allows; the probes stay plain on their own port.
/// </summary>
public sealed class SecureMetricsEndToEndTests : IAsyncLifetime, IDisposable
{
    private const string Prometheus = "system:serviceaccount:monitoring:prometheus";
    private const string PrometheusToken = "prometheus-token-6f1e2d";
    private const string NosyToken = "nosy-token-9a8b7c";
    private readonly string folder = Directory.CreateTempSubdirectory("operator-secure-metrics-").FullName;
    private readonly RecordingLoggerProvider logs = new();
    private OperatorUnderTest op = null!;
    private SecureMetricsScraper scraper = null!;

    public async Task InitializeAsync()
    {
        var prices = Path.Combine(folder, "prices.json");
        await File.WriteAllTextAsync(prices, SixtyFortyFund.Prices(DateTimeOffset.UtcNow));
        op = await OperatorUnderTest.StartAsync(
            new PriceProviderSettings { FilePath = prices },
            services: s => s.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.AddFilter<RecordingLoggerProvider>(null, LogLevel.Trace)),
            configure: o => o with { SecureMetrics = new SecureMetricsOptions { Port = 0 } });
        op.Cluster.AccessReviews
            .AddToken(PrometheusToken, Prometheus, "system:serviceaccounts", "system:serviceaccounts:monitoring")
            .AddToken(NosyToken, "system:serviceaccount:default:nosy", "system:serviceaccounts")
            .AllowUser(Prometheus, "get", "/metrics");
        scraper = new SecureMetricsScraper(op.App);
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    public void Dispose()
    {
        scraper.Dispose();
        logs.Dispose();
    }

    [Fact]
    public async Task Only_an_authenticated_and_authorized_token_gets_the_fund_metrics_and_no_token_is_logged()
    {
        using var kubectl = new Kubectl(op.Cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest()));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=30s");

        var none = await scraper.ScrapeAsync(null);
        var unknown = await scraper.ScrapeAsync("made-up-token");
        var nosy = await scraper.ScrapeAsync(NosyToken);
        var prometheus = await scraper.ScrapeAsync(PrometheusToken);

        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized\n"), none);
        Assert.Equal((HttpStatusCode.Unauthorized, "Unauthorized\n"), unknown);
        Assert.Equal((HttpStatusCode.Forbidden, "Forbidden\n"), nosy);
        Assert.Equal(HttpStatusCode.OK, prometheus.Code);
        Assert.Contains("cryptoindex_fund_nav{fund_namespace=\"default\",fund=\"sixty-forty\"} 9990", prometheus.Body, StringComparison.Ordinal);
        Assert.Contains("metrics_auth_requests_total{result=\"unauthenticated\"} 2", prometheus.Body, StringComparison.Ordinal);
        Assert.Contains("metrics_auth_requests_total{result=\"forbidden\"} 1", prometheus.Body, StringComparison.Ordinal);
        // No token, no review; each token asked once, and only the authenticated ones asked about /metrics.
        Assert.Equal(3, op.Cluster.Requests.Count("create", "tokenreviews"));
        Assert.Equal(2, op.Cluster.Requests.Count("create", "subjectaccessreviews"));
        Assert.Equal("CN=cryptoindex-operator", scraper.Presented!.Subject);
        Assert.Equal(scraper.Presented.Subject, scraper.Presented.Issuer); // self-signed: no --metrics-cert-dir
        Assert.Contains(logs.Lines, l => l.Contains("self-signed certificate generated at start", StringComparison.Ordinal));
        foreach (var token in new[] { PrometheusToken, NosyToken, "made-up-token" })
        {
            Assert.DoesNotContain(token, logs.AllText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_probes_stay_plain_on_their_port_and_metrics_are_served_only_over_https()
    {
        using var healthz = await scraper.PlainClient.GetAsync(new Uri("/healthz", UriKind.Relative));
        using var plainMetrics = await scraper.PlainClient.GetAsync(new Uri("/metrics", UriKind.Relative));
        var secureHealthz = await scraper.ScrapeAsync(PrometheusToken, "/healthz");

        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, plainMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, secureHealthz.Code);
        Assert.NotEqual(scraper.Plain.Port, scraper.Secure.Port);
        Assert.Equal(0, op.Cluster.Requests.Count("create", "tokenreviews"));
    }
}
