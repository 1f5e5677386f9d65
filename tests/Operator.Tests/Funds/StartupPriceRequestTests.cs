using System.Globalization;
using System.Text;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// An operator that starts with funds already there (a rollout, a new leader) prices them all with one request: the
/// first refresh covers every fund in the cache, not only those whose reconcile asked first.
/// </summary>
public sealed class StartupPriceRequestTests : IAsyncLifetime
{
    private const int Funds = 8; // twice the operator's concurrent reconciles: the later ones cannot ask before the first refresh
    private FakeMarketServer market = null!;
    private OperatorUnderTest op = null!;

    public async Task InitializeAsync()
    {
        market = await FakeMarketServer.StartAsync(TimeProvider.System); // the operator runs on the real clock here
        for (var i = 0; i < 2 * Funds; i++)
        {
            market.CoinGecko[Id(i)] = (100m + i, 1_000_000_000m * (i + 1));
        }

        // At first the operator watches another namespace: the funds are created without it.
        op = await OperatorUnderTest.StartAsync(
            new PriceProviderSettings { CoinGecko = new CoinGeckoOptions { BaseUrl = market.CoinGeckoUrl } }, configure: o => o with { WatchNamespaces = ["elsewhere"] });
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        await market.DisposeAsync();
    }

    private static string Id(int asset) => string.Create(CultureInfo.InvariantCulture, $"coin-{asset:00}");

    [Fact]
    public async Task Funds_with_assets_of_their_own_are_priced_by_one_request_when_the_operator_starts()
    {
        using var kubectl = new Kubectl(op.Cluster);
        var manifests = new StringBuilder();
        for (var i = 0; i < Funds; i++)
        {
            // Two assets each, shared with no other fund.
            manifests.Append(CultureInfo.InvariantCulture, $$"""
                apiVersion: cryptoindex.io/v1alpha1
                kind: IndexFund
                metadata: {name: fund-{{i}}}
                spec:
                  capital: 1000
                  weighting: Equal
                  constituents:
                    - {symbol: A{{2 * i}}, coinGeckoId: {{Id(2 * i)}}}
                    - {symbol: A{{(2 * i) + 1}}, coinGeckoId: {{Id((2 * i) + 1)}}}
                  prices: {refreshInterval: 5m, maxAge: 10m}
                ---

                """);
        }

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("funds.yaml", manifests.ToString()));
        Assert.Equal(0, market.CountRequests("coingecko"));

        await op.RestartAsync(reconfigure: o => o with { WatchNamespaces = [] });
        await kubectl.OkAsync("wait", "--for=condition=Ready", "ifund", "--all", "--timeout=120s");

        var request = Assert.Single(market.Requests, r => r.Provider == "coingecko");
        var ids = Uri.UnescapeDataString(request.PathAndQuery).Split("ids=")[1].Split('&')[0].Split(',');
        Assert.Equal(Enumerable.Range(0, 2 * Funds).Select(Id).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }
}
