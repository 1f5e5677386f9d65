using System.Text.Json;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using CryptoIndex.Operator.Runtime.Events;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.LocalKube;
using k8s;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>
/// The whole operator on one machine, without a cluster: the in-process Kubernetes API server on 127.0.0.1 with the
/// CRD, a kubeconfig for the real kubectl, the real controller (runtime, reconciler, status, Events, metrics) on a
/// simulated, replayed or live market, paper trading, and a summary table. State is in memory: for trying, not money.
/// </summary>
public static class SandboxCommand
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait for the end of the simulated period (<see cref="Task.Delay(TimeSpan)"/>'s limit is ~49.7 days).</summary>
    private static readonly TimeSpan MaxEndWait = TimeSpan.FromDays(49);

    public static async Task<int> RunAsync(SandboxOptions options, bool speedGiven, TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (options.Validate(speedGiven) is { } invalid)
        {
            await stderr.WriteLineAsync("sandbox: " + invalid).ConfigureAwait(false);
            return Cli.ExitCodes.InvalidInput;
        }

        if (await SandboxKubeconfig.CheckAsync(Path.GetFullPath(options.Kubeconfig), cancellationToken).ConfigureAwait(false) is { } taken)
        {
            await stderr.WriteLineAsync("sandbox: " + taken).ConfigureAwait(false);
            return Cli.ExitCodes.InvalidInput;
        }

        if ((SandboxPorts.InUse("--port", options.Port) ?? SandboxPorts.InUse("--metrics-port", options.MetricsPort)) is { } busy)
        {
            await stderr.WriteLineAsync("sandbox: " + busy).ConfigureAwait(false);
            return Cli.ExitCodes.InvalidInput;
        }

        var (market, error) = SandboxMarket.Create(options, TimeProvider.System);
        if (market is null)
        {
            await stderr.WriteLineAsync("sandbox: " + error).ConfigureAwait(false);
            return Cli.ExitCodes.InvalidInput;
        }

        await using var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions { Port = options.Port, RequestLogLimit = 1000, WatchHistorySize = 1000 }, cancellationToken).ConfigureAwait(false);
        await cluster.ApplyYamlAsync(YamlWriter.Write(CrdGenerator.IndexFund()), cancellationToken: cancellationToken).ConfigureAwait(false);

        var app = OperatorApp.Build(new OperatorAppOptions
        {
            Port = options.MetricsPort,
            BindAddress = "127.0.0.1", // like the sandbox's API server: local only
            ClientConfiguration = new KubernetesClientConfiguration { Host = cluster.Url.GetLeftPart(UriPartial.Authority) },
            LeaderElection = false,
            MarketData = market.Settings,
            Registry = Prometheus.Metrics.NewCustomRegistry(),
            Time = market.Clock,
            ApiServerTime = TimeProvider.System, // LocalKube's clock: watches time out in real seconds, not simulated ones
            // Five real seconds on the sandbox's clock (which may run fast, or be real time for live prices), so that
            // a stop lets paper rebalances in flight finish: five simulated seconds ran out at once at 43200x.
            GracefulShutdownTimeout = TimeSpan.FromSeconds(5 * (market.Clock is ScaledTimeProvider scaled ? scaled.Speed : 1)),
            HostShutdownTimeout = TimeSpan.FromSeconds(10),
            BinanceDisabled = "binance is not available in the sandbox, which trades on paper only; use kind: paper",
            ConfigureServices = services =>
            {
                // Warnings and errors only, on stderr: stdout is the summary table.
                services.AddLogging(logging => logging
                    .ClearProviders()
                    .SetMinimumLevel(LogLevel.Warning)
                    .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
                // Events carry real time, so kubectl shows their ages (status times are the simulated market's).
                services.AddSingleton(sp => new EventRecorder(
                    sp.GetRequiredService<IKubernetes>(), OperatorApp.Component, TimeProvider.System, logger: sp.GetRequiredService<ILogger<EventRecorder>>(),
                    metrics: sp.GetRequiredService<RuntimeMetrics>()));
            },
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Only once the operator is up: a start that fails leaves no kubeconfig for a server that is gone.
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Kubeconfig))!);
            cluster.WriteKubeconfig(options.Kubeconfig);
            var metricsPort = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal)).Port;
            var samples = options.Samples ? EmbeddedSamples.All() : [];
            foreach (var (_, yaml) in samples)
            {
                await cluster.ApplyYamlAsync(yaml, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(Banner(options, market, cluster.Url, metricsPort, [.. samples.Select(s => s.Name)])).ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            var client = cluster.CreateClient();
            // The period counts from now, when the operator is up: at a high speed, starting took simulated hours.
            var startedAt = market.Clock.GetUtcNow();
            var end = Earliest(options.Duration is { } duration ? startedAt + duration : null, market.End);
            // Ctrl+C reaches the operator's host first (it stops itself); either signal ends the watch.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(
                cancellationToken, app.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping);
            var simulated = options.Market != SandboxMarketKind.CoinGecko;
            await WatchAsync(client, market.Clock, simulated, end, stdout, interactive, stop.Token).ConfigureAwait(false);

            // The end the run was given, once reached: at 43200x a few real milliseconds of scheduling are simulated
            // minutes, which say nothing about the run.
            var stoppedAt = end is { } planned && market.Clock.GetUtcNow() >= planned ? planned : market.Clock.GetUtcNow();
            var historyEnded = market.End is { } dataEnd && stoppedAt >= dataEnd && options.Duration is null;
            await stdout.WriteLineAsync(SandboxClockText.Stopped(startedAt, stoppedAt, market.Clock.GetUtcNow(), simulated, options.Speed, historyEnded)).ConfigureAwait(false);
            await stdout.WriteAsync(await SummaryAsync(client, CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
            return Cli.ExitCodes.Ok;
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            SandboxKubeconfig.Delete(options.Kubeconfig, cluster.KubeconfigYaml); // it would point at a server that is gone
        }
    }

    /// <summary>Refreshes the summary until Ctrl+C or the end of the simulated period: in place on a terminal, else every 10 s.</summary>
    private static async Task WatchAsync(
        IKubernetes client, TimeProvider clock, bool simulated, DateTimeOffset? end, TextWriter stdout, bool interactive, CancellationToken cancellationToken)
    {
        bool Done() => cancellationToken.IsCancellationRequested || (end is { } e && clock.GetUtcNow() >= e);
        async Task PauseAsync()
        {
            try
            {
                // A refresh, or less on the sandbox's own clock when the end is nearer: --duration is kept to the step.
                var pause = Task.Delay(Refresh, cancellationToken);
                // Task.Delay takes at most ~49.7 days: an end further away than that is not the nearer one anyway.
                var toEnd = end is { } e && e - clock.GetUtcNow() is { } left && left > TimeSpan.Zero && left < MaxEndWait
                    ? Task.Delay(left, clock, cancellationToken)
                    : pause;
                await Task.WhenAny(pause, toEnd).Unwrap().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C: stop watching, then print the final summary.
            }
        }

        if (interactive)
        {
            var text = new Text(await SummaryAsync(client, cancellationToken).ConfigureAwait(false));
            await AnsiConsole.Live(text).StartAsync(async live =>
            {
                while (!Done())
                {
                    live.UpdateTarget(new Text(SandboxClockText.Header(clock.GetUtcNow(), simulated) + await SafeSummaryAsync(client, cancellationToken).ConfigureAwait(false)));
                    await PauseAsync().ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
            return;
        }

        var printed = DateTimeOffset.MinValue;
        while (!Done())
        {
            if (TimeProvider.System.GetUtcNow() - printed >= TimeSpan.FromSeconds(10))
            {
                printed = TimeProvider.System.GetUtcNow();
                await stdout.WriteAsync(SandboxClockText.Header(clock.GetUtcNow(), simulated) + await SafeSummaryAsync(client, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            await PauseAsync().ConfigureAwait(false);
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static async Task<string> SafeSummaryAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        try
        {
            return await SummaryAsync(client, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return string.Empty;
        }
    }

    private static async Task<string> SummaryAsync(IKubernetes client, CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(IndexFund.Group, IndexFund.Version, IndexFund.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        var funds = list.GetProperty("items").EnumerateArray().Select(i => JsonSerializer.Deserialize<IndexFund>(i.GetRawText(), ApiJson.Options)!).ToList();
        return funds.Count == 0 ? "(no IndexFunds yet: apply one with kubectl)\n" : FundSummary.Render(funds.Select(FundSummary.Of));
    }

    private static string Banner(SandboxOptions options, SandboxMarket market, Uri api, int metricsPort, List<string> samples)
    {
        var kubeconfig = Path.GetFullPath(options.Kubeconfig);
        var sampleLine = samples.Count > 0 ? $"applied samples: {string.Join(", ", samples)}" : "no samples applied (--no-samples)";
        var tryLines = samples.Count > 0
            ? "  kubectl describe ifund top10-capped\n  kubectl edit ifund sqrt-marketcap          # change assetCap and watch the new targets\n  kubectl delete ifund manual-60-30-10; kubectl apply -f config/samples/manual.yaml   # or a fund of your own"
            : "  kubectl apply -f config/samples/top10-marketcap.yaml\n  kubectl describe ifund top10-capped";
        return $"""
            CryptoIndex sandbox: {market.Label}.
            Paper trading; state in memory, gone when this stops. For trying and demonstrating, not for money.

            Kubernetes API  {api.GetLeftPart(UriPartial.Authority)}   (in-process, CRD installed)
            kubeconfig      {kubeconfig}
            metrics         http://127.0.0.1:{metricsPort}/metrics
            {sampleLine}

            Try, in another terminal (kubectl: scripts/install-tools.sh puts a pinned one in .tools/bin):
              export KUBECONFIG={kubeconfig}
              kubectl get ifund -w
            {tryLines}
              curl -s http://127.0.0.1:{metricsPort}/metrics | grep cryptoindex_fund_nav
            Ctrl+C stops.

            """;
    }
}
