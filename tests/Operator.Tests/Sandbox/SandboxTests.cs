using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Sandbox;

/// <summary>
/// The sandbox as a newcomer uses it: started as a process, driven with the real kubectl through the kubeconfig it
/// writes, its /metrics scraped, stopped with Ctrl+C; and run for a fixed simulated period by a script.
/// </summary>
public sealed class SandboxTests
{
    private const string MyFund = """
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata: {name: my-fund}
        spec:
          capital: 20000
          weighting: Equal
          constituents:
            - {symbol: BTC, coinGeckoId: bitcoin}
            - {symbol: ETH, coinGeckoId: ethereum}
            - {symbol: SOL, coinGeckoId: solana}
        """;

    [Fact]
    public async Task A_simulated_period_longer_than_a_timer_takes_runs()
    {
        // 60 days: the wait for the end was one Task.Delay, which refuses more than ~49.7 days (the sandbox crashed).
        await using var sandbox = CryptoIndexProcess.Sandbox("--no-samples", "--speed", "86400", "--duration", "60d");
        await sandbox.WaitForLineAsync(l => l.StartsWith("Ctrl+C stops.", StringComparison.Ordinal));
        using var kubectl = new Kubectl(sandbox.KubeconfigPath);

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("my-fund.yaml", MyFund));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/my-fund", "--timeout=60s");

        Assert.Equal(0, await sandbox.InterruptAsync());
        Assert.DoesNotContain("Unhandled exception", sandbox.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_newcomer_applies_changes_and_deletes_a_fund_with_kubectl_and_stops_the_sandbox_with_ctrl_c()
    {
        // 60x: a price step a real second. A quote's age is then at most a refresh (60s) and a step (1 min) plus what a
        // stall of the machine adds at 60x, far below maxAge (10m). At 600x a half-second stall could make it stale;
        // that the step stays below half of maxAge at any speed is SandboxMarketTests' to check, on a fake clock.
        await using var sandbox = CryptoIndexProcess.Sandbox("--speed", "60");
        await sandbox.WaitForLineAsync(l => l.StartsWith("Ctrl+C stops.", StringComparison.Ordinal));
        Assert.Contains("CryptoIndex sandbox: SIMULATED market (random walk, seed 42) at 60x real time.", sandbox.Output, StringComparison.Ordinal);
        Assert.Contains("applied samples: equal-weight.yaml, manual.yaml, sqrt-marketcap.yaml, top10-marketcap.yaml", sandbox.Output, StringComparison.Ordinal);
        using var kubectl = new Kubectl(sandbox.KubeconfigPath);

        // The samples, then a fund of one's own: Ready, invested on paper at simulated prices.
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund", "--all", "--timeout=60s");
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("my-fund.yaml", MyFund));
        // The simulated quotes are always fresh enough for the samples' maxAge (never a PricesStale flicker).
        Assert.Equal(string.Empty, (await kubectl.OkAsync("get", "events", "--field-selector", "reason=PricesStale", "-o", "name")).Trim());
        // The dry-run sample's plan moves with every price step; it is news (an Event) only once.
        var planned = JsonNode.Parse(await kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalancePlanned", "-o", "json"))!["items"]!.AsArray();
        Assert.Equal(1, planned.Sum(e => (int?)e!["count"] ?? 1));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/my-fund", "--timeout=60s");
        var status = await StatusAsync(kubectl);
        Assert.All(status["allocations"]!.AsArray(), a => Assert.Equal("simulated", (string?)a!["priceSource"]));
        Assert.Equal(["Buy", "Buy", "Buy"], status["trades"]!.AsArray().Select(t => (string)t!["side"]!));
        Assert.All(status["trades"]!.AsArray(), t => Assert.Equal("Completed", (string?)t!["status"]));

        // Market-cap weighting capped at 40 %: BTC and ETH at the cap, SOL the rest, once generation 2 is observed.
        await kubectl.OkAsync("patch", "ifund", "my-fund", "--type", "merge", "-p", """{"spec":{"weighting":"MarketCap","assetCap":"40%"}}""");
        await kubectl.OkAsync("wait", "--for=jsonpath={.status.observedGeneration}=2", "ifund/my-fund", "--timeout=60s");
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/my-fund", "--timeout=60s");
        status = await StatusAsync(kubectl);
        Assert.Equal(["40%", "40%", "20%"], status["allocations"]!.AsArray().Select(a => (string)a!["targetWeight"]!));

        // Metrics for every fund; a deleted fund's series go with it.
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{sandbox.MetricsPort}/metrics");
        Assert.Contains("cryptoindex_fund_nav{fund_namespace=\"default\",fund=\"my-fund\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_nav{fund_namespace=\"default\",fund=\"top10-capped\"}", metrics, StringComparison.Ordinal);
        await kubectl.OkAsync("delete", "ifund", "my-fund", "--wait=true");
        await kubectl.OkAsync("wait", "--for=delete", "ifund/my-fund", "--timeout=30s");
        await WaitForAsync(async () => !(await http.GetStringAsync($"http://127.0.0.1:{sandbox.MetricsPort}/metrics")).Contains("fund=\"my-fund\"", StringComparison.Ordinal));

        // Paper only: a fund asking for Binance is refused before any Secret is read or any request leaves.
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("binance.yaml", MyFund.Replace("my-fund", "on-binance", StringComparison.Ordinal)
            + "\n  exchange: {kind: binance, credentialsSecretRef: {name: keys}}"));
        await kubectl.OkAsync("wait", "--for=condition=Stalled", "ifund/on-binance", "--timeout=60s");
        Assert.Equal(
            "spec.exchange.kind: binance is not available in the sandbox, which trades on paper only; use kind: paper",
            await kubectl.OkAsync("get", "ifund", "on-binance", "-o", "jsonpath={.status.conditions[?(@.type=='Stalled')].message}"));
        Assert.Equal("ExchangeDisabled", await kubectl.OkAsync("get", "ifund", "on-binance", "-o", "jsonpath={.status.conditions[?(@.type=='Stalled')].reason}"));

        // Events carry real time (kubectl shows their ages), while fund status shows the simulated market's.
        var events = JsonNode.Parse(await kubectl.OkAsync("get", "events", "-o", "json"))!["items"]!.AsArray();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.True(DateTimeOffset.Parse((string)e!["lastTimestamp"]!, System.Globalization.CultureInfo.InvariantCulture) < DateTimeOffset.UtcNow.AddMinutes(1)));

        Assert.Equal(0, await sandbox.InterruptAsync());
        Assert.False(File.Exists(sandbox.KubeconfigPath)); // it would point at a server that is gone
        Assert.Contains("final summary:", sandbox.Output, StringComparison.Ordinal);
        Assert.Contains("top10-capped", sandbox.Output.Split("final summary:")[1], StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", sandbox.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_runs_a_fixed_simulated_period_and_gets_a_summary()
    {
        await using var sandbox = CryptoIndexProcess.Sandbox("--duration", "6h", "--speed", "7200", "--seed", "7");

        // How far the funds got in 3 real seconds depends on the machine; that they are all there, and a summary, does not.
        Assert.Equal(0, await sandbox.ExitCodeAsync());
        var summary = sandbox.Output.Split("final summary:")[1];
        Assert.Equal(
            ["equal-weight", "manual-60-30-10", "sqrt-marketcap", "top10-capped"],
            summary.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(' ')[0]));
    }

    [SharedDataFact]
    public async Task History_is_replayed_from_coingecko_exports()
    {
        var data = SharedData.CoinGeckoDaily;
        await using var sandbox = CryptoIndexProcess.Sandbox("--data", data, "--from", "2022-03-01", "--duration", "48h", "--speed", "43200");

        Assert.Equal(0, await sandbox.ExitCodeAsync());
        Assert.Contains("CryptoIndex sandbox: REPLAYED history of 19 assets from " + data + ", starting 2022-03-01, at 43200x real time.", sandbox.Output, StringComparison.Ordinal);
        // The replayed prices themselves are unit-tested; here the command runs the replay to its end and reports.
        Assert.Contains("top10-capped", sandbox.Output.Split("final summary:")[1], StringComparison.Ordinal);
        // The stop waits for rebalances in flight in real time, not for five simulated seconds (0.1 ms here).
        Assert.DoesNotContain("did not finish", sandbox.Errors, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public async Task A_replay_stops_by_itself_where_the_history_ends()
    {
        await using var sandbox = CryptoIndexProcess.Sandbox("--data", SharedData.CoinGeckoDaily, "--from", "2022-09-08", "--speed", "43200", "--no-samples");

        Assert.Equal(0, await sandbox.ExitCodeAsync());
        // The last common day is 2022-09-10; its prices hold until midnight. On a loaded machine stopping can take long
        // enough at this speed for the line to add when the summary was taken (SandboxClockTextTests), before "; final summary:".
        var stopped = Assert.Single(sandbox.Output.Split('\n'), line => line.StartsWith("sandbox: stopped at", StringComparison.Ordinal));
        Assert.StartsWith("sandbox: stopped at 2022-09-11T00:00:00Z (simulated); the replayed history ended", stopped, StringComparison.Ordinal);
        Assert.EndsWith("; final summary:", stopped, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public async Task A_replay_from_a_day_outside_the_history_is_refused_with_the_range()
    {
        await using var sandbox = CryptoIndexProcess.Sandbox("--data", SharedData.CoinGeckoDaily, "--from", "2024-03-01");

        Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await sandbox.ExitCodeAsync());
        Assert.Contains("sandbox: --from: 2024-03-01 is outside the history every asset has (2020-09-17 to 2022-09-10)", sandbox.Errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--from 2022-03-01", "sandbox: --from: only with --data (the first day of history to replay)")]
    [InlineData("--data /nonexistent/folder --from 2021-13-01", "--from: '2021-13-01' is not a date such as 2022-03-01")]
    [InlineData("--speed 1000000", "sandbox: --speed: must be a positive number of simulated seconds per second, at most 100000")]
    [InlineData("--speed 0", "sandbox: --speed: must be a positive number of simulated seconds per second, at most 100000")]
    [InlineData("--speed -1", "sandbox: --speed: must be a positive number of simulated seconds per second, at most 100000")]
    [InlineData("--provider coingecko --speed 10", "sandbox: --speed: live prices cannot run faster than real time")]
    [InlineData("--data /nonexistent/folder", "sandbox: --data: folder '/nonexistent/folder' does not exist")]
    [InlineData("--duration soon", "--duration: 'soon' is not a positive duration such as 90m, 24h or 7d")]
    public async Task Bad_options_are_refused_with_the_option_named(string args, string message)
    {
        await using var sandbox = CryptoIndexProcess.Sandbox(args.Split(' '));

        Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await sandbox.ExitCodeAsync());
        Assert.Contains(message, sandbox.Errors, StringComparison.Ordinal);
    }

    private static async Task<JsonNode> StatusAsync(Kubectl kubectl) =>
        JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "my-fund", "-o", "json"))!["status"]!;

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); // a failure guard only
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached");
            await Task.Delay(100);
        }
    }
}
