using System.Net;
using System.Net.Http.Headers;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Runtime.Hosting;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Metrics;

/// <summary>
/// Which port a request came in on decides what it may reach, not what the request says about itself: with ASP.NET's
/// forwarded headers switched on (ASPNETCORE_FORWARDEDHEADERS_ENABLED, which trusts any sender), a plain-port request
/// claiming <c>X-Forwarded-Proto: https</c> still gets no metrics.
/// </summary>
public sealed class SecureMetricsTransportTests : IAsyncLifetime, IDisposable
{
    private const string Token = "scraper-token-7d2a";
    private readonly string folder = Directory.CreateTempSubdirectory("operator-secure-transport-").FullName;
    private OperatorUnderTest op = null!;
    private SecureMetricsScraper scraper = null!;

    public async Task InitializeAsync()
    {
        op = await OperatorUnderTest.StartAsync(
            new PriceProviderSettings { FilePath = Path.Combine(folder, "no-prices.json") },
            configure: o => o with { SecureMetrics = new SecureMetricsOptions { Port = 0 } },
            args: ["--ForwardedHeaders_Enabled=true"]);
        op.Cluster.AccessReviews.AddToken(Token, "scraper").AllowUser("scraper", "get", "/metrics");
        scraper = new SecureMetricsScraper(op.App);
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    public void Dispose() => scraper.Dispose();

    [Fact]
    public async Task A_plain_request_claiming_https_in_a_forwarded_header_gets_no_metrics()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var plain = await scraper.PlainClient.SendAsync(request);
        using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri("/healthz", UriKind.Relative));
        probe.Headers.Add("X-Forwarded-Proto", "https");
        using var healthz = await scraper.PlainClient.SendAsync(probe);
        var secure = await scraper.ScrapeAsync(Token);

        Assert.Equal(HttpStatusCode.NotFound, plain.StatusCode);
        Assert.DoesNotContain("# TYPE", await plain.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secure.Code); // the token is good: only the plain port refused it
    }
}
