using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Cli;

/// <summary>The <c>run</c> command refuses bad options before it starts, naming the option and the rule.</summary>
public sealed class RunCommandTests
{
    [Theory]
    [InlineData("--max-concurrent-reconciles", "0", "--max-concurrent-reconciles: must be at least 1")]
    [InlineData("--watch-namespaces", "team-a,Team_B", "--watch-namespaces: 'Team_B' is not a namespace name")]
    [InlineData("--watch-namespaces", ",", "--watch-namespaces: name at least one namespace, or leave the option out to watch all")]
    [InlineData("--graceful-shutdown-timeout", "soon", "--graceful-shutdown-timeout: 'soon' is not a positive duration such as 30s or 1m")]
    [InlineData("--reconcile-timeout", "soon", "--reconcile-timeout: 'soon' is not a duration such as 5m or 0s (no limit)")]
    [InlineData("--reconcile-timeout", "9999999h", "--reconcile-timeout: '9999999h' is not a duration such as 5m or 0s (no limit)")]
    public async Task A_bad_option_is_refused_with_its_name_and_rule(string option, string value, string message)
    {
        var (exitCode, error) = await RunAsync("run", option, value, "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--metrics-port=9443", "--metrics-port and --metrics-cert-dir need --metrics-secure")]
    [InlineData("--metrics-cert-dir=/etc/certs", "--metrics-port and --metrics-cert-dir need --metrics-secure")]
    [InlineData("--metrics-secure --metrics-port=8081", "--metrics-port: 8081 is also --port")]
    [InlineData("--metrics-secure --port=8443", "--metrics-port: 8443 is also --port")]
    [InlineData("--metrics-secure --metrics-port=70000", "--metrics-port: 70000 is not a port (1 to 65535)")]
    [InlineData("--metrics-secure --metrics-cert-dir=/nonexistent/certs", "--metrics-cert-dir: '/nonexistent/certs' is not a folder")]
    public async Task Secure_metrics_flags_are_refused_when_they_would_not_do_what_they_say(string flags, string message)
    {
        var (exitCode, error) = await RunAsync(["run", .. flags.Split(' '), "--kubeconfig", "/nonexistent/kubeconfig"]);

        Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_folder_without_the_pair_stops_run_naming_the_files()
    {
        var certs = Directory.CreateTempSubdirectory("metrics-certs-").FullName;
        var cluster = await CryptoIndex.LocalKube.LocalKubeCluster.StartAsync();
        try
        {
            var kubeconfig = cluster.WriteKubeconfig(Path.Combine(certs, "kubeconfig"));
            var (exitCode, error) = await RunAsync("run", "--metrics-secure", "--metrics-cert-dir=" + certs, "--kubeconfig", kubeconfig, "--leader-elect=false");

            Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, exitCode);
            Assert.StartsWith($"run: cannot load the metrics certificate {Path.Combine(certs, "tls.crt")} with key {Path.Combine(certs, "tls.key")}", error, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(certs, recursive: true);
        }
    }

    [Theory]
    [InlineData("03/04/2020")]
    [InlineData("2020-02-30")]
    public async Task Backtest_days_are_read_only_as_YYYY_MM_DD(string day)
    {
        var (exitCode, error) = await RunAsync("backtest", "-f", "fund.yaml", "--data", ".", "--from", day);

        Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, exitCode);
        Assert.Contains($"--from: '{day}' is not a date such as 2022-03-01", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_cluster_run_says_what_to_pass()
    {
        var home = Directory.CreateTempSubdirectory("cryptoindex-home-").FullName; // no ~/.kube/config
        try
        {
            await using var process = CryptoIndexProcess.Start(new Dictionary<string, string> { ["HOME"] = home }, "run", "--watch-namespaces", "team-a", "--graceful-shutdown-timeout", "10s");

            Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await process.ExitCodeAsync());
            Assert.Contains("pass --kubeconfig FILE, set KUBECONFIG, or run inside a cluster", process.Errors, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task A_kubeconfig_flag_naming_a_missing_file_is_refused_naming_it()
    {
        var (exitCode, error) = await RunAsync("run", "--kubeconfig", "/nonexistent/kubeconfig");

        Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, exitCode);
        Assert.Equal("run: --kubeconfig: /nonexistent/kubeconfig does not exist", error);
    }

    [Fact]
    public async Task A_KUBECONFIG_naming_no_file_that_exists_is_refused_rather_than_passed_over_for_the_home_kubeconfig()
    {
        await using var cluster = await LocalKube.LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync(File.ReadAllText(LocalKube.Testing.RepositoryPaths.Combine("config", "crds", CryptoIndex.Operator.Crd.CrdGenerator.FileName)));
        cluster.Requests.Clear();
        var home = Directory.CreateTempSubdirectory("cryptoindex-home-").FullName;
        try
        {
            // ~/.kube/config reaches a cluster, but KUBECONFIG says another kubeconfig was meant.
            cluster.WriteKubeconfig(Path.Combine(Directory.CreateDirectory(Path.Combine(home, ".kube")).FullName, "config"));
            var environment = new Dictionary<string, string> { ["HOME"] = home, ["KUBECONFIG"] = "/nonexistent/one" + Path.PathSeparator + "/nonexistent/two" };
            await using var process = CryptoIndexProcess.Start(environment, "run", "--leader-elect=false", "--port", "0");

            Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await process.ExitCodeAsync());
            Assert.StartsWith("run: KUBECONFIG names no file that exists (/nonexistent/one, /nonexistent/two)", process.Errors, StringComparison.Ordinal);
            Assert.Empty(cluster.Requests.All);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Theory]
    [InlineData("MarketData__Validation__FallbackShare", "1", "MarketData:Validation:FallbackShare must be from 0 to below 1 (a share of RefreshTimeout), not 1")]
    [InlineData("MarketData__Validation__RefreshTimeout", "2m", "MarketData:Validation:RefreshTimeout must be a duration as hh:mm:ss, e.g. 00:02:00, not '2m'")]
    [InlineData("MarketData__CoinGecko__PageSize", "251", "MarketData:CoinGecko:PageSize must be from 1 to 250 (ids per request), not 251")]
    [InlineData("MarketData__Http__TotalTimeout", "00:00:00", "MarketData:Http:TotalTimeout must be from 00:00:00.01 to 1.00:00:00 (hh:mm:ss), not 00:00:00")]
    [InlineData("MarketData__CoinGecko__Plan", "2", "MarketData:CoinGecko:Plan must be one of Demo, Pro, not '2'")]
    [InlineData("MarketData__BinanceBaseUrl", "localhost:8080", "MarketData:BinanceBaseUrl must be an absolute http(s) URL such as https://data-api.binance.vision/, not 'localhost:8080'")]
    [InlineData("MarketData__Http__TotalTimout", "00:01:00", "MarketData:Http:TotalTimout is not a setting: MarketData:Http takes AttemptTimeout, TotalTimeout, MaxRetries, RetryBaseDelay, BreakerFailureRatio, BreakerMinimumThroughput, BreakerSamplingDuration, BreakDuration")]
    [InlineData("Exchanges__Binance__BaseUri", "https://proxy.internal/", "Exchanges:Binance:BaseUri is not a setting: Exchanges:Binance takes BaseUrl")]
    [InlineData("Exchanges__Binanse__BaseUrl", "https://proxy.internal/", "Exchanges:Binanse is not a setting: Exchanges takes Binance")]
    [InlineData("Exchanges__Binance__BaseUrl", "http://", "Exchanges:Binance:BaseUrl must be an absolute http(s) URL, not 'http://'")]
    [InlineData("Exchanges__Binance__BaseUrl", "ftp://user:token@proxy/", "Exchanges:Binance:BaseUrl must be an absolute http(s) URL such as https://api.binance.com/, not 'ftp://***@proxy/'")]
    public async Task A_bad_setting_stops_run_with_one_line_naming_its_key(string variable, string value, string message)
    {
        await using var cluster = await LocalKube.LocalKubeCluster.StartAsync();
        var kubeconfig = cluster.WriteKubeconfig(Path.Combine(Path.GetTempPath(), "run-kubeconfig-" + Guid.NewGuid().ToString("N") + ".yaml"));
        try
        {
            var environment = new Dictionary<string, string> { [variable] = value };
            await using var process = CryptoIndexProcess.Start(environment, "run", "--kubeconfig", kubeconfig, "--leader-elect=false", "--port", "0");

            Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await process.ExitCodeAsync());
            Assert.Equal("run: " + message, process.Errors.Trim()); // one line: no stack trace
            Assert.DoesNotContain(cluster.Requests.All, r => r.Resource == "indexfunds");
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public async Task Run_finds_its_cluster_through_KUBECONFIG_as_kubectl_does()
    {
        await using var cluster = await LocalKube.LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync(File.ReadAllText(LocalKube.Testing.RepositoryPaths.Combine("config", "crds", CryptoIndex.Operator.Crd.CrdGenerator.FileName)));
        var kubeconfig = cluster.WriteKubeconfig(Path.Combine(Path.GetTempPath(), "run-kubeconfig-" + Guid.NewGuid().ToString("N") + ".yaml"));
        try
        {
            // A list, like PATH: the first file that exists counts.
            var environment = new Dictionary<string, string> { ["KUBECONFIG"] = "/nonexistent/kubeconfig" + Path.PathSeparator + kubeconfig };
            await using var process = CryptoIndexProcess.Start(environment, "run", "--leader-elect=false", "--port", "0");

            // Observed outside the operator's clock: the cluster sees it list funds (a guard, not a wait for time to pass).
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!cluster.Requests.All.Any(r => r.Resource == "indexfunds" && r.Verb == "list"))
            {
                Assert.True(DateTime.UtcNow < deadline, "the operator never reached the cluster named by KUBECONFIG: " + process.Errors);
                await Task.Delay(100);
            }

            Assert.Equal(0, await process.InterruptAsync());
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    private static async Task<(int ExitCode, string Error)> RunAsync(params string[] args)
    {
        await using var process = CryptoIndexProcess.Start(args);
        return (await process.ExitCodeAsync(), process.Errors);
    }
}
