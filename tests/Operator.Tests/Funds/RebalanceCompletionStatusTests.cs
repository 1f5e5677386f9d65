using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Tests.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// The status update that marks a rebalance Completed carries the books it left (cash, allocations, NAV, drift) and
/// the metrics say the same: a watcher (kubectl -w, a GitOps health check, a scrape) never sees a finished rebalance
/// beside the books from before its fills.
/// </summary>
public sealed class RebalanceCompletionStatusTests : IAsyncLifetime
{
    private const string Name = "sixty-forty";
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60); // a failure guard only
    private readonly FakeTimeProvider clock = new(Start);
    private readonly string folder = Directory.CreateTempSubdirectory("operator-completion-").FullName;
    private OperatorUnderTest op = null!;

    private string PricesFile => Path.Combine(folder, "prices.json");

    public async Task InitializeAsync()
    {
        await WritePricesAsync(Start);
        op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { FilePath = PricesFile }, clock);
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private Task WritePricesAsync(DateTimeOffset observedAt, decimal btc = 50_000m) => File.WriteAllTextAsync(PricesFile, SixtyFortyFund.Prices(observedAt, btc));

    [Fact]
    public async Task The_update_that_completes_a_rebalance_carries_its_books_and_the_metrics_follow_it()
    {
        using var kubectl = new Kubectl(op.Cluster);
        var from = op.Cluster.ResourceVersion;
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 10m}")));

        // The clock stands still: the reconcile that finishes the paper rebalance asks for a rate-limited requeue to
        // report it, which a fake clock never fires. What is shown now is what the completing update wrote.
        var completed = await UntilCompletedAsync(kubectl, sequence: 1);
        Assert.Equal("9990", (string?)completed["nav"]); // 10,000 less the 0.1 % fees
        var scrape = await op.ScrapeAsync();
        Assert.Equal(9990d, Gauge(scrape, "cryptoindex_fund_nav"));
        Assert.Equal((double)decimal.Parse((string)completed["cash"]!, CultureInfo.InvariantCulture), Gauge(scrape, "cryptoindex_fund_cash"));
        Assert.Equal((string?)completed["totalDrift"], StatusText.Weight((decimal)Gauge(scrape, "cryptoindex_fund_total_drift")));
        foreach (var row in completed["allocations"]!.AsArray())
        {
            var symbol = (string)row!["symbol"]!;
            Assert.Equal((string?)row["currentWeight"], StatusText.Weight((decimal)Gauge(scrape, "cryptoindex_fund_current_weight", symbol)));
            Assert.Equal((string?)row["drift"], StatusText.Drift((decimal)Gauge(scrape, "cryptoindex_fund_drift", symbol)));
        }

        // The report that follows, at the same prices, finds the same books: only Ready moves on.
        var settled = await FakeClockPump.UntilAsync(
            kubectl, clock, Name, s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        Assert.Equal(Books(settled), Books(completed));

        // BTC doubles and the minimum interval has passed: the second rebalance sells BTC and buys ETH.
        clock.Advance(TimeSpan.FromMinutes(61));
        await WritePricesAsync(clock.GetUtcNow(), btc: 100_000m);
        var rebalanced = await FakeClockPump.UntilAsync(
            kubectl, clock, Name, s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalances"]?.AsArray().Count == 2,
            advance: TimeSpan.FromSeconds(5));

        // Every status update of the fund, in order, from its history: the first that shows each rebalance Completed
        // (Reconciling gone) already has the books the next evaluation, at the same prices, reports.
        var revisions = await RevisionsAsync(from, (string)JsonNode.Parse(await kubectl.OkAsync("get", "ifund", Name, "-o", "json"))!["metadata"]!["resourceVersion"]!);
        foreach (var (sequence, after) in new[] { (1L, settled), (2L, rebalanced) })
        {
            var index = revisions.FindIndex(r => Completed(r, sequence));
            var first = revisions[index];
            Assert.Equal("True", (string?)FakeClockPump.Condition(revisions[index - 1], "Reconciling")?["status"]); // the update before: still running
            Assert.Null(FakeClockPump.Condition(first, "Reconciling"));
            Assert.Equal(Books(after), Books(first));
            Assert.Equal((string?)first["rebalances"]![0]!["completedAt"], (string?)first["lastRebalanceTime"]);
        }
    }

    /// <summary>Whether the status shows rebalance <paramref name="sequence"/> as the latest, finished.</summary>
    private static bool Completed(JsonNode? status, long sequence) =>
        status?["rebalances"]?.AsArray().FirstOrDefault() is { } latest && (long?)latest["sequence"] == sequence && (string?)latest["phase"] == "Completed";

    /// <summary>The fund's valuation as status shows it: NAV, cash, drift, and per asset quantity, price, value and weights.</summary>
    private static string Books(JsonNode status) => new JsonObject
    {
        ["nav"] = status["nav"]?.DeepClone(),
        ["cash"] = status["cash"]?.DeepClone(),
        ["cashWeight"] = status["cashWeight"]?.DeepClone(),
        ["totalDrift"] = status["totalDrift"]?.DeepClone(),
        ["maxDrift"] = status["maxDrift"]?.DeepClone(),
        ["allocations"] = new JsonArray(status["allocations"]!.AsArray().Select(a => (JsonNode)new JsonObject
        {
            ["symbol"] = a!["symbol"]?.DeepClone(),
            ["quantity"] = a["quantity"]?.DeepClone(),
            ["price"] = a["price"]?.DeepClone(),
            ["value"] = a["value"]?.DeepClone(),
            ["currentWeight"] = a["currentWeight"]?.DeepClone(),
            ["drift"] = a["drift"]?.DeepClone(),
        }).ToArray()),
    }.ToJsonString();

    /// <summary>A fund gauge's value in a scrape (of an asset's series when <paramref name="symbol"/> is given).</summary>
    private static double Gauge(string scrape, string metric, string? symbol = null)
    {
        var series = $"{metric}{{fund_namespace=\"default\",fund=\"{Name}\"{(symbol is null ? string.Empty : $",symbol=\"{symbol}\"")}}} ";
        var line = scrape.Split('\n').SingleOrDefault(l => l.StartsWith(series, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no series {series.TrimEnd()} in the scrape");
        return double.Parse(line[series.Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>Reads the fund, the clock standing still, until rebalance <paramref name="sequence"/> shows Completed.</summary>
    private static async Task<JsonNode> UntilCompletedAsync(Kubectl kubectl, long sequence)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (true)
        {
            var status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", Name, "-o", "json"))!["status"];
            if (Completed(status, sequence))
            {
                return status!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"rebalance {sequence} did not complete; the status is now:\n{status?.ToJsonString()}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Every status the fund had after resourceVersion <paramref name="from"/> up to <paramref name="to"/>, replayed by a
    /// watch from the API server's history (each write, however briefly it stood).
    /// </summary>
    private async Task<List<JsonNode>> RevisionsAsync(long from, string to)
    {
        using var http = new HttpClient { BaseAddress = op.Cluster.Url, Timeout = Guard };
        using var response = await http.GetAsync(
            $"/apis/cryptoindex.io/v1alpha1/namespaces/default/indexfunds?watch=true&resourceVersion={from}&fieldSelector=metadata.name%3D{Name}",
            HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var revisions = new List<JsonNode>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var change = JsonNode.Parse(line)!;
            var fund = change["object"]!;
            if (fund["status"] is { } status)
            {
                revisions.Add(status);
            }

            if ((string?)fund["metadata"]?["resourceVersion"] == to)
            {
                return revisions;
            }
        }

        throw new Xunit.Sdk.XunitException($"the watch ended before resourceVersion {to}");
    }
}
