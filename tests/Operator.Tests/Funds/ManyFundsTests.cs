using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>A hundred funds on one operator: one price request for all of them, every fund funded and reported.</summary>
public sealed class ManyFundsTests : IAsyncLifetime
{
    private const int Funds = 100;
    private FakeMarketServer market = null!;
    private OperatorUnderTest op = null!;

    public async Task InitializeAsync()
    {
        market = await FakeMarketServer.StartAsync(TimeProvider.System); // the operator runs on the real clock here
        market.CoinGecko["bitcoin"] = (50_000m, 900_000_000_000m);
        market.CoinGecko["ethereum"] = (2_500m, 300_000_000_000m);
        market.CoinGecko["solana"] = (150m, 70_000_000_000m);
        op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { CoinGecko = new CoinGeckoOptions { BaseUrl = market.CoinGeckoUrl } });
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        await market.DisposeAsync();
    }

    [Fact]
    public async Task A_hundred_funds_share_one_price_request_and_are_all_funded()
    {
        using var kubectl = new Kubectl(op.Cluster);
        var manifests = new StringBuilder();
        for (var i = 0; i < Funds; i++)
        {
            manifests.Append(CultureInfo.InvariantCulture, $$"""
                apiVersion: cryptoindex.io/v1alpha1
                kind: IndexFund
                metadata: {name: fund-{{i:000}}}
                spec:
                  capital: {{1000 + i}}
                  weighting: {{(i % 2 == 0 ? "MarketCap" : "Equal")}}
                  assetCap: 60%
                  constituents:
                    - {symbol: BTC, coinGeckoId: bitcoin}
                    - {symbol: ETH, coinGeckoId: ethereum}
                    - {symbol: SOL, coinGeckoId: solana}
                  prices: {refreshInterval: 5m, maxAge: 10m}
                ---

                """);
        }

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("funds.yaml", manifests.ToString()));
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund", "--all", "--timeout=120s");

        // Every fund asked for prices; the shared cache asked CoinGecko once, for the union of their assets.
        var request = Assert.Single(market.Requests, r => r.Provider == "coingecko");
        Assert.Contains("ids=bitcoin,ethereum,solana", Uri.UnescapeDataString(request.PathAndQuery), StringComparison.Ordinal);

        var funds = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", "-o", "json"))!["items"]!.AsArray();
        Assert.Equal(Funds, funds.Count);
        Assert.All(funds, fund =>
        {
            var status = fund!["status"]!;
            Assert.Equal("WithinThresholds", (string?)status["conditions"]![0]!["reason"]);
            Assert.Equal(["Completed", "Completed", "Completed"], status["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        });

        // One fund exactly: Equal weighting, its 1001 invested, less the 0.1 % paper fee.
        var fund001 = funds.Single(f => (string?)f!["metadata"]!["name"] == "fund-001")!["status"]!;
        Assert.Equal(["33.3333%", "33.3333%", "33.3333%"], fund001["allocations"]!.AsArray().Select(a => (string)a!["targetWeight"]!));
        Assert.Equal("999.999", (string?)fund001["nav"]);
    }
}
