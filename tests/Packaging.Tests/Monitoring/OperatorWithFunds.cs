using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>
/// A running operator with four funds applied through kubectl: the equal-weight sample (prices from a file) invested
/// on paper, a fund whose spec is invalid (Stalled), one whose only price is rejected (PricesStale), and a Binance dry
/// run against a Binance that has banned the operator's IP (418). Its scrape then holds every series the dashboard and
/// the alerts use, including the label-bearing ones that appear only once observed (rebalances, trades, fees, price
/// rejections, exchange requests and back-offs).
/// </summary>
public sealed class OperatorWithFunds : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("packaging-operator-").FullName;

    public RunningOperator Operator { get; private set; } = null!;

    public BannedBinance Binance { get; private set; } = null!;

    public Kubectl Kubectl { get; private set; } = null!;

    public Exposition Scrape { get; private set; } = null!;

    public string ScrapeText { get; private set; } = string.Empty;

    /// <summary>Just before the funds were applied (the operator's clock is the real one).</summary>
    public DateTimeOffset AppliedAt { get; private set; }

    /// <summary>Just after the scrape.</summary>
    public DateTimeOffset ScrapedAt { get; private set; }

    public async Task InitializeAsync()
    {
        var prices = Path.Combine(_folder, "prices.json");
        // The operator runs on the real clock, so the prices are observed "now" and stay fresh for the test.
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        await File.WriteAllTextAsync(prices, """
            {"observedAt": "NOW", "assets": {
              "BTC": {"price": "50000", "marketCap": "900000000000"}, "ETH": {"price": "2500", "marketCap": "300000000000"},
              "SOL": {"price": "150", "marketCap": "60000000000"}, "BNB": {"price": "600", "marketCap": "90000000000"},
              "XRP": {"price": "0.5", "marketCap": "28000000000"}, "DOGE": {"price": "-1", "marketCap": "20000000000"}}}
            """.Replace("NOW", now, StringComparison.Ordinal));
        Binance = await BannedBinance.StartAsync();
        Operator = await RunningOperator.StartAsync(prices, Binance.BaseAddress);
        Kubectl = new Kubectl(Operator.Cluster);

        var sample = Manifests.ToJson(await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "samples", "equal-weight.yaml")))!.AsObject();
        sample["spec"]!["prices"] = new JsonObject { ["provider"] = "file" };
        var invalid = sample.DeepClone().AsObject();
        invalid["metadata"]!["name"] = "invalid-cap";
        invalid["spec"]!["assetCap"] = "10%"; // five assets cannot hold 100% at 10% each
        var stale = sample.DeepClone().AsObject();
        stale["metadata"]!["name"] = "no-price";
        stale["spec"]!["constituents"] = new JsonArray(new JsonObject { ["symbol"] = "DOGE", ["coinGeckoId"] = "dogecoin" });
        var banned = sample.DeepClone().AsObject();
        banned["metadata"]!["name"] = "binance-dry-run";
        banned["spec"]!["dryRun"] = true; // plans with Binance's public exchangeInfo: no Secret is read
        banned["spec"]!["exchange"] = new JsonObject { ["kind"] = "binance", ["credentialsSecretRef"] = new JsonObject { ["name"] = "binance-keys" } };
        AppliedAt = DateTimeOffset.UtcNow;
        foreach (var fund in new[] { sample, invalid, stale, banned })
        {
            await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile($"{fund["metadata"]!["name"]}.json", fund.ToJsonString()));
        }

        await Kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/equal-weight", "--timeout=30s");
        await Kubectl.OkAsync("wait", "--for=condition=Stalled", "ifund/invalid-cap", "--timeout=30s");
        await Kubectl.OkAsync("wait", "--for=jsonpath={.status.conditions[0].reason}=PricesStale", "ifund/no-price", "--timeout=30s");
        await Kubectl.OkAsync("wait", "--for=jsonpath={.status.rebalances[0].phase}=DryRun", "ifund/binance-dry-run", "--timeout=30s");
        ScrapeText = await Operator.ScrapeAsync();
        ScrapedAt = DateTimeOffset.UtcNow;
        Scrape = new Exposition(ScrapeText);
    }

    public async Task<JsonNode> FundAsync(string name) => JsonNode.Parse(await Kubectl.OkAsync("get", "ifund", name, "-o", "json"))!;

    public async Task DisposeAsync()
    {
        Kubectl.Dispose();
        await Operator.DisposeAsync();
        await Binance.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
