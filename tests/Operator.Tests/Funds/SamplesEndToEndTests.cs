using System.Text.Json.Nodes;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// What a new user does first: apply the documented samples (<c>kubectl apply -k config/samples</c>), wait for them to
/// be Ready and read them with <c>kubectl get</c>, <c>-o yaml</c> and <c>describe</c>. Prices come from a local fake
/// CoinGecko speaking its wire format; trades go to the paper exchange, as the samples say.
/// </summary>
public sealed class SamplesEndToEndTests : IAsyncLifetime
{
    private FakeMarketServer market = null!;
    private OperatorUnderTest op = null!;

    public async Task InitializeAsync()
    {
        market = await FakeMarketServer.StartAsync(TimeProvider.System);
        // Every asset any sample names, with market caps falling by rank (so the capped top 10 is really capped).
        var ids = Directory.GetFiles(RepositoryPaths.Combine("config", "samples"), "*.yaml")
            .Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal))
            .SelectMany(f => ManifestReader.Read(File.ReadAllText(f)).Funds[0].Spec.Constituents)
            .Select(c => c.CoinGeckoId!)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        for (var rank = 0; rank < ids.Count; rank++)
        {
            market.CoinGecko[ids[rank]] = (100m + rank, 1_000_000_000_000m / (rank + 1));
        }

        op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { CoinGecko = new CoinGeckoOptions { BaseUrl = market.CoinGeckoUrl } });
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        await market.DisposeAsync();
    }

    [Fact]
    public async Task The_samples_are_funded_on_paper_and_readable_with_kubectl()
    {
        using var kubectl = new Kubectl(op.Cluster);
        await kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "samples"));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund", "--all", "--timeout=60s");

        var rows = (await kubectl.OkAsync("get", "ifund")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Contains(" True ", r, StringComparison.Ordinal));

        var funds = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "-o", "json"))!["items"]!.AsArray();
        foreach (var fund in funds)
        {
            var status = fund!["status"]!;
            Assert.Equal(fund["spec"]!["constituents"]!.AsArray().Count, status["allocations"]!.AsArray().Count);
            if ((bool?)fund["spec"]!["dryRun"] == true)
            {
                // The manual sample is a dry run: its plan is reported, nothing is traded.
                Assert.Equal("DryRun", (string?)status["conditions"]![0]!["reason"]);
                Assert.Null(status["trades"]);
                Assert.Equal("dry-run", (string?)status["rebalances"]![0]!["id"]);
                continue;
            }

            Assert.Equal("WithinThresholds", (string?)status["conditions"]![0]!["reason"]);
            Assert.NotEmpty(status["trades"]!.AsArray());
            Assert.All(status["trades"]!.AsArray(), t => Assert.Equal("Completed", (string?)t!["status"]));
        }

        Assert.Equal(3, funds.Count(f => f!["status"]!["trades"] is not null));

        // The capped top 10: no weight above its 25 % cap, and the data a person reads.
        var top10 = funds.Single(f => (string?)f!["metadata"]!["name"] == "top10-capped")!["status"]!;
        Assert.All(top10["allocations"]!.AsArray(), a => Assert.True(decimal.Parse(((string)a!["targetWeight"]!).TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture) <= 25m));
        var yaml = await kubectl.OkAsync("get", "ifund", "top10-capped", "-o", "yaml");
        Assert.Contains("lastRebalanceReason: 'first funding", yaml, StringComparison.Ordinal);
        var described = await kubectl.OkAsync("describe", "ifund", "top10-capped");
        Assert.Contains("RebalanceStarted", described, StringComparison.Ordinal);
        Assert.Contains("RebalanceCompleted", described, StringComparison.Ordinal);
    }
}
