using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>
/// A running operator with three funds applied through kubectl: the equal-weight sample (prices from a file) invested
/// on paper, a fund whose spec is invalid (Stalled), and one whose only price is rejected (PricesStale). Its scrape
/// then holds every series the dashboard and the alerts use, including the label-bearing ones that appear only once
/// observed (rebalances, trades, fees, price rejections).
/// </summary>
public sealed class OperatorWithFunds : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("packaging-operator-").FullName;

    public RunningOperator Operator { get; private set; } = null!;

    public Kubectl Kubectl { get; private set; } = null!;

    public Exposition Scrape { get; private set; } = null!;

    public string ScrapeText { get; private set; } = string.Empty;

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
        Operator = await RunningOperator.StartAsync(prices);
        Kubectl = new Kubectl(Operator.Cluster);

        var sample = Manifests.ToJson(await File.ReadAllTextAsync(RepositoryPaths.Combine("config", "samples", "equal-weight.yaml")))!.AsObject();
        sample["spec"]!["prices"] = new JsonObject { ["provider"] = "file" };
        var invalid = sample.DeepClone().AsObject();
        invalid["metadata"]!["name"] = "invalid-cap";
        invalid["spec"]!["assetCap"] = "10%"; // five assets cannot hold 100% at 10% each
        var stale = sample.DeepClone().AsObject();
        stale["metadata"]!["name"] = "no-price";
        stale["spec"]!["constituents"] = new JsonArray(new JsonObject { ["symbol"] = "DOGE", ["coinGeckoId"] = "dogecoin" });
        foreach (var fund in new[] { sample, invalid, stale })
        {
            await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile($"{fund["metadata"]!["name"]}.json", fund.ToJsonString()));
        }

        await Kubectl.OkAsync("wait", "--for=condition=Ready", "ifund/equal-weight", "--timeout=30s");
        await Kubectl.OkAsync("wait", "--for=condition=Stalled", "ifund/invalid-cap", "--timeout=30s");
        await Kubectl.OkAsync("wait", "--for=jsonpath={.status.conditions[0].reason}=PricesStale", "ifund/no-price", "--timeout=30s");
        ScrapeText = await Operator.ScrapeAsync();
        Scrape = new Exposition(ScrapeText);
    }

    public async Task<JsonNode> FundAsync(string name) => JsonNode.Parse(await Kubectl.OkAsync("get", "ifund", name, "-o", "json"))!;

    public async Task DisposeAsync()
    {
        Kubectl.Dispose();
        await Operator.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
