using System.Diagnostics;
using System.Globalization;
using CryptoIndex.LocalKube;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Runtime.Metrics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Load;

/// <summary>
/// One run with N funds: LocalKube holding them, the fake CoinGecko, then the real <see cref="OperatorApp"/> started
/// (a cold start, as after a rollout), and three phases measured: until every fund is Ready and funded by its first
/// rebalance; a price refresh where every price moved; a refresh where nothing did.
/// </summary>
internal static class LoadRun
{
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromMinutes(15); // a guard only: 1000 funds on a busy machine take minutes
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    public static async Task<LoadResult> RunAsync(int count, int refreshes)
    {
        await using var clock = new PumpedClock(Start);
        await using var feed = await FakeCoinGecko.StartAsync(clock.Time);
        SetPrices(feed, round: 0);
        await using var cluster = await LocalKubeCluster.StartAsync(new LocalKubeOptions { WatchHistorySize = 100 }); // LocalKube's own memory is not what is measured
        await cluster.ApplyYamlAsync(await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "crds", "cryptoindex.io_indexfunds.yaml")));
        var liveEmpty = LiveHeap();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, ct) => await cluster.ApplyYamlAsync(FundManifests.Yaml(i), cancellationToken: ct));
        await using var watch = new FundWatch(cluster.Url);
        await watch.StartAsync();
        var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        var liveBefore = LiveHeap(); // LocalKube holding the N funds, as yet without status
        var specBytes = await watch.ListBytesAsync();

        var run = await RunOperatorAsync(count, refreshes, clock, feed, cluster, watch);

        // The operator's cache, queue, metrics and price cache, plus the statuses LocalKube now stores: an upper bound of
        // the operator's own (its references outlive its stop, so the heap without it cannot be measured in this process).
        var operatorHeap = run.LiveHeapWithOperator - liveBefore;
        // LocalKube's heap per byte of the objects it stores (measured on the funds without status), times the bytes
        // the statuses added: an estimate of LocalKube's share of that growth.
        var objectBytes = await watch.ListBytesAsync();
        var storeShare = (long)((liveBefore - liveEmpty) / (double)specBytes * (objectBytes - specBytes));
        return new LoadResult(
            count,
            Enumerable.Range(0, count).Sum(FundManifests.ConstituentCount),
            run.Startup,
            run.Moved[0],
            run.Unchanged,
            run.PeakQueueDepth,
            workingSetBefore,
            Process.GetCurrentProcess().PeakWorkingSet64,
            run.PeakManagedHeap,
            operatorHeap,
            storeShare,
            objectBytes / count,
            run.Warnings,
            run.Errors,
            run.ReconcileErrors,
            feed.MaxIds,
            File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown")
        {
            Refreshes = run.Moved,
        };
    }

    /// <summary>What the operator's part of a run measured.</summary>
    private sealed record OperatorRun(
        PhaseResult Startup, IReadOnlyList<PhaseResult> Moved, PhaseResult Unchanged, double PeakQueueDepth, long PeakManagedHeap, long LiveHeapWithOperator,
        int Warnings, int Errors, double ReconcileErrors);

    /// <summary>
    /// Starts the operator, measures the three phases (and the live heap with it running), stops it.
    /// </summary>
    private static async Task<OperatorRun> RunOperatorAsync(int count, int refreshes, PumpedClock clock, FakeCoinGecko feed, LocalKubeCluster cluster, FundWatch watch)
    {
        var logs = new CountingLoggerProvider();
        var app = OperatorApp.Build(new OperatorAppOptions
        {
            Port = 0,
            BindAddress = "127.0.0.1",
            ClientConfiguration = new KubernetesClientConfiguration { Host = cluster.Url.GetLeftPart(UriPartial.Authority) },
            LeaderElection = false,
            MarketData = new PriceProviderSettings { CoinGecko = new CoinGeckoOptions { BaseUrl = feed.CoinGeckoUrl }, BinanceBaseUrl = feed.BinanceUrl },
            Registry = Prometheus.Metrics.NewCustomRegistry(),
            Time = clock.Time,
            ApiServerTime = TimeProvider.System, // LocalKube's clock: watch timeouts and the reconcile timeout in real time
            ReconcileTimeout = TimeSpan.FromMinutes(5), // as `run` has it
            ConfigureServices = services => services.AddLogging(l => l.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddProvider(logs)),
        });
        await using var sampler = new Sampler(app.Services.GetRequiredService<RuntimeMetrics>());
        var phases = new Phases(cluster, feed, sampler);

        Progress($"{count} funds: starting the operator");
        phases.Begin();
        await app.StartAsync();
        await watch.UntilAllAsync(count, f => f.ReadyAndRebalanced, PhaseLimit);
        var startup = await phases.EndAsync("startup");

        var moved = new List<PhaseResult>();
        for (var round = 1; round <= refreshes; round++)
        {
            Progress($"{count} funds: a refresh where every price moved ({round} of {refreshes})");
            SetPrices(feed, round);
            var before = watch.Funds.ToDictionary(f => f.Key, f => f.Value.LastPriceUpdate, StringComparer.Ordinal);
            phases.Begin();
            var began = Stopwatch.GetTimestamp(); // CLOCK_MONOTONIC in ns on Linux, as perf's -k CLOCK_MONOTONIC
            clock.Jump(FundManifests.RefreshInterval);
            await watch.UntilAllAsync(count, f => f.Ready == "True" && f.LastPriceUpdate != before[f.Name], PhaseLimit);
            var ended = Stopwatch.GetTimestamp();
            moved.Add(await phases.EndAsync("moved"));
            Progress(string.Create(CultureInfo.InvariantCulture,
                $"refresh {round}: {moved[^1].Seconds:0.000} s ({moved[^1].CpuSeconds:0.000} s CPU), monotonic {Seconds(began):0.000000},{Seconds(ended):0.000000}"));
        }

        Progress($"{count} funds: a refresh where nothing moved");
        feed.FrozenAt = feed.LastUpdated; // the same prices, last updated when the previous refresh saw them
        var reconciled = sampler.Reconciles;
        phases.Begin();
        clock.Jump(FundManifests.RefreshInterval);
        await UntilAsync(() => sampler.Reconciles >= reconciled + count);
        var unchanged = await phases.EndAsync("unchanged");

        var live = LiveHeap();
        var run = new OperatorRun(startup, moved, unchanged, sampler.PeakQueueDepth, sampler.PeakManagedHeap, live, logs.Warnings, logs.Errors, sampler.ReconcileErrors);
        await app.StopAsync();
        await app.DisposeAsync();
        return run;
    }

    private static void SetPrices(FakeCoinGecko feed, int round)
    {
        for (var asset = 0; asset < FundManifests.Universe; asset++)
        {
            feed.Prices[FundManifests.Id(asset)] = FundManifests.Quote(asset, round == 0 ? 1m : FundManifests.Move(asset, round));
        }
    }

    private static long LiveHeap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task UntilAsync(Func<bool> done)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!done())
        {
            if (TimeProvider.System.GetElapsedTime(started) > PhaseLimit)
            {
                throw new TimeoutException("the operator did not get through a refresh in time");
            }

            await Task.Delay(10);
        }
    }

    private static double Seconds(long timestamp) => timestamp / (double)Stopwatch.Frequency;

    internal static void Progress(string line) => Console.Error.WriteLine("operator-load: " + line);

    /// <summary>Marks where a phase starts in the request log and the feed's counters, and measures it when the operator is quiet again.</summary>
    private sealed class Phases(LocalKubeCluster cluster, FakeCoinGecko feed, Sampler sampler)
    {
        private int firstRequest;
        private int coinGecko;
        private int binance;
        private long reconciles;
        private long started;
        private TimeSpan cpu;

        public void Begin()
        {
            firstRequest = cluster.Requests.All.Count;
            (coinGecko, binance, reconciles) = (feed.CoinGeckoRequests, feed.BinanceRequests, sampler.Reconciles);
            started = TimeProvider.System.GetTimestamp();
            cpu = Process.GetCurrentProcess().TotalProcessorTime;
        }

        /// <summary>
        /// The phase's duration is until the watch saw what it waited for (now); its requests are counted until the
        /// operator has been quiet for a moment (Events and late writes of the same phase included).
        /// </summary>
        public async Task<PhaseResult> EndAsync(string name)
        {
            var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var seen = -1;
            while (true)
            {
                await Task.Delay(Quiet);
                var now = cluster.Requests.All.Count;
                if (now == seen && sampler.QueueDepth == 0 && sampler.ActiveWorkers == 0)
                {
                    break;
                }

                seen = now;
            }

            var requests = cluster.Requests.All.Skip(firstRequest).Where(r => FromOperator(r)).ToList();
            return new PhaseResult(
                name,
                seconds,
                cpuSeconds,
                requests.GroupBy(r => r.Verb + " " + r.Resource + (r.Subresource.Length > 0 ? "/" + r.Subresource : string.Empty), StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
                requests.Where(r => r.StatusCode >= 400).GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count()),
                feed.CoinGeckoRequests - coinGecko,
                feed.BinanceRequests - binance,
                sampler.Reconciles - reconciles);
        }

        private static bool FromOperator(ApiRequest request) =>
            request.UserAgent != FundWatch.UserAgent && !request.UserAgent.StartsWith("localkube-apply", StringComparison.Ordinal);
    }
}
