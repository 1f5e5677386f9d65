using System.Net;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Runtime.Hosting;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.Exchanges.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Metrics;

/// <summary>
/// The secure /metrics on a fake clock with a mounted certificate: review answers are reused for a minute, a failure
/// to ask the API server never lets a request through and is not remembered.
/// </summary>
public sealed class SecureMetricsReviewTests : IAsyncLifetime, IDisposable
{
    private const string Token = "scraper-token-51c0";
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly string certs = Directory.CreateTempSubdirectory("operator-metrics-certs-").FullName;
    private readonly RecordingLoggerProvider logs = new();
    private string thumbprint = string.Empty;
    private OperatorUnderTest op = null!;
    private SecureMetricsScraper scraper = null!;

    public async Task InitializeAsync()
    {
        thumbprint = TestCertificates.WritePair(certs, "cryptoindex-operator-metrics.cryptoindex-system.svc", Start);
        op = await OperatorUnderTest.StartAsync(
            new PriceProviderSettings { FilePath = Path.Combine(certs, "no-prices.json") },
            clock,
            services: s => s.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.AddFilter<RecordingLoggerProvider>(null, LogLevel.Trace)),
            configure: o => o with { SecureMetrics = new SecureMetricsOptions { Port = 0, CertDir = certs } });
        op.Cluster.AccessReviews.AddToken(Token, "scraper").AllowUser("scraper", "get", "/metrics");
        scraper = new SecureMetricsScraper(op.App);
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        Directory.Delete(certs, recursive: true);
    }

    public void Dispose()
    {
        scraper.Dispose();
        logs.Dispose();
    }

    private int Reviews => op.Cluster.Requests.Count("create", "tokenreviews");

    [Fact]
    public async Task A_review_is_reused_for_a_minute_then_asked_again()
    {
        Assert.Equal(HttpStatusCode.OK, (await scraper.ScrapeAsync(Token)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await scraper.ScrapeAsync("unknown")).Code);
        Assert.Equal((2, 1), (Reviews, op.Cluster.Requests.Count("create", "subjectaccessreviews")));

        // The token is revoked; within the minute the cached answers stand, without asking again.
        op.Cluster.AccessReviews.RemoveToken(Token);
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(HttpStatusCode.OK, (await scraper.ScrapeAsync(Token)).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await scraper.ScrapeAsync("unknown")).Code);
        Assert.Equal(2, Reviews);

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.Unauthorized, (await scraper.ScrapeAsync(Token)).Code);
        Assert.Equal(3, Reviews);
    }

    [Theory]
    [InlineData("tokenreviews", 503)]
    [InlineData("tokenreviews", 403)] // the operator's own RBAC lacks create on tokenreviews
    [InlineData("subjectaccessreviews", 500)]
    public async Task When_the_API_server_cannot_answer_the_scrape_fails_and_the_failure_is_not_remembered(string resource, int status)
    {
        op.Cluster.Faults.FailNext(1, status, verb: "create", resource: resource);

        var failed = await scraper.ScrapeAsync(Token);
        var next = await scraper.ScrapeAsync(Token);

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Authorization unavailable\n"), failed);
        Assert.Equal(HttpStatusCode.OK, next.Code);
        Assert.Contains(logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Could not review access to /metrics", StringComparison.Ordinal));
        Assert.Contains("metrics_auth_requests_total{result=\"error\"} 1", next.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_mounted_certificate_is_served_and_a_renewed_one_is_picked_up_within_a_minute()
    {
        await scraper.ScrapeAsync(Token);
        Assert.Equal(thumbprint, scraper.Presented!.Thumbprint);
        Assert.Contains(logs.Lines, l => l.Contains("with the certificate from " + certs, StringComparison.Ordinal));

        var renewed = TestCertificates.WritePair(certs, "cryptoindex-operator-metrics.cryptoindex-system.svc", Start);
        File.SetLastWriteTimeUtc(Path.Combine(certs, "tls.crt"), Start.UtcDateTime.AddHours(1)); // a distinct stamp, however fast this runs
        clock.Advance(TimeSpan.FromMinutes(1));
        using var fresh = new SecureMetricsScraper(op.App); // a new connection: a new handshake
        await fresh.ScrapeAsync(Token);

        Assert.Equal(renewed, fresh.Presented!.Thumbprint);
    }
}
