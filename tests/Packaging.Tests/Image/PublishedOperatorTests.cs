using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CryptoIndex.Packaging.Tests.Support;
using k8s;

namespace CryptoIndex.Packaging.Tests.Image;

/// <summary>The published operator, started like the image with the chart's arguments, serves what the chart's probes
/// and ServiceMonitor expect and stops cleanly on SIGTERM.</summary>
public sealed class PublishedOperatorTests(PublishedOperator published) : IClassFixture<PublishedOperator>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Starts_with_the_chart_arguments_serves_probes_and_metrics_and_stops_on_SIGTERM()
    {
        var (process, port) = await published.Start();
        using var started = process;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitForReadyAsync(http, process, stderr);
            Assert.Equal(HttpStatusCode.OK, await PublishedOperator.StatusAsync(http, "healthz"));
            // Ready includes standing by in the election: it leads (the only replica) once it has taken the lease.
            var metrics = await WaitForMetricAsync(http, "leader_election_master_status{name=\"cryptoindex-operator\"} 1");
            Assert.Contains("controller_runtime_max_concurrent_reconciles{controller=\"indexfund\"} 4", metrics, StringComparison.Ordinal);

            // SIGTERM, as the kubelet sends it: a clean exit within the chart's grace period, the lease handed back.
            var grace = (int)(await Support.Chart.TemplateAsync()).One("Deployment")["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!;
            Assert.Equal(0, (await Tool.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])).Exit);
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(grace));
            await process.WaitForExitAsync(exited.Token);
            Assert.Equal(0, process.ExitCode);
            var lease = await published.Cluster.CreateClient().CoordinationV1.ReadNamespacedLeaseAsync("cryptoindex-operator", "default");
            Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity), $"the lease is still held by {lease.Spec.HolderIdentity}");
            Assert.Contains("Application is shutting down", await stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Logs_one_JSON_object_per_line_when_the_chart_asks_for_json()
    {
        // A lease of its own: killed, this operator never hands it back, and the other test must not wait for it.
        var (process, port) = await published.Start("operator.logFormat=json", "leaderElection.leaseName=json-logs-test");
        using var started = process;
        var stderr = process.StandardError.ReadToEndAsync();
        var firstLine = process.StandardOutput.ReadLineAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await WaitForReadyAsync(http, process, stderr);

        // The console logger writes from its own thread: being ready does not mean a line is out yet, so wait for one.
        var first = await firstLine.WaitAsync(Guard);
        process.Kill(entireProcessTree: true);
        var lines = new[] { first! }.Concat((await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();

        Assert.NotNull(first);
        Assert.All(lines, l => Assert.True(JsonDocument.Parse(l).RootElement.TryGetProperty("Category", out _), l));
    }

    [Fact]
    public async Task Starts_with_every_market_data_setting_the_chart_can_set()
    {
        // The operator stops at start on a MarketData key it does not read or a value out of range: each of
        // marketData.http and marketData.validation set, it must still become ready. A lease of its own, as above.
        var (process, port) = await published.Start(
            "leaderElection.leaseName=market-data-test",
            "marketData.http.attemptTimeout=00:00:05", "marketData.http.totalTimeout=00:01:00", "marketData.http.maxRetries=5",
            "marketData.http.retryBaseDelay=00:00:00.5", "marketData.http.breakerFailureRatio=0.75", "marketData.http.breakerMinimumThroughput=10",
            "marketData.http.breakerSamplingDuration=00:05:00", "marketData.http.breakDuration=00:00:30",
            "marketData.validation.maxPriceJump=1000000", "marketData.validation.acceptJumpAfter=0",
            "marketData.validation.refreshTimeout=00:03:00", "marketData.validation.fallbackShare=0.25");
        using var started = process;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync(); // drained, so the operator never blocks on a full pipe
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitForReadyAsync(http, process, stderr);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Polls /metrics until it has <paramref name="line"/> (bounded, 30 s); returns that scrape.</summary>
    private static async Task<string> WaitForMetricAsync(HttpClient http, string line)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
            if (metrics.Contains(line, StringComparison.Ordinal))
            {
                return metrics;
            }

            var prefix = line[..line.IndexOf('{', StringComparison.Ordinal)];
            Assert.True(DateTime.UtcNow < deadline, $"no '{line}' in /metrics within 30 s: "
                + string.Join("; ", metrics.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))));
            await Task.Delay(100); // a separate process: poll its endpoint
        }
    }

    /// <summary>Polls /readyz (bounded); fails with the operator's stderr if it exits first.</summary>
    private static async Task WaitForReadyAsync(HttpClient http, Process process, Task<string> stderr)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (await PublishedOperator.StatusAsync(http, "readyz") != HttpStatusCode.OK)
        {
            Assert.False(process.HasExited, process.HasExited ? $"the operator exited with {process.ExitCode}: {await stderr}" : null);
            Assert.True(DateTime.UtcNow < deadline, "the operator did not become ready");
            await Task.Delay(100); // a separate process: poll its endpoint
        }
    }
}
