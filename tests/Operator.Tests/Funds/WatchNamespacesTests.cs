using CryptoIndex.MarketData;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// <c>--watch-namespaces</c>: the operator lists and watches IndexFunds only in the namespaces it is given (so a
/// namespaced Role is enough), and reconciles funds there; a fund elsewhere is never read or touched.
/// </summary>
public sealed class WatchNamespacesTests : IAsyncLifetime
{
    private readonly string prices = Path.Combine(Path.GetTempPath(), $"watch-ns-{Guid.NewGuid():N}.json");
    private OperatorUnderTest op = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(prices, SixtyFortyFund.Prices(DateTimeOffset.UtcNow));
        op = await OperatorUnderTest.StartAsync(
            new PriceProviderSettings { FilePath = prices }, configure: o => o with { WatchNamespaces = ["team-a", "team-c"] });
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        File.Delete(prices);
    }

    [Fact]
    public async Task Only_funds_in_the_watched_namespaces_are_listed_watched_and_reconciled()
    {
        using var kubectl = new Kubectl(op.Cluster);
        var manifest = kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest());
        foreach (var ns in new[] { "team-a", "team-b" })
        {
            await kubectl.OkAsync("create", "namespace", ns);
            await kubectl.OkAsync("apply", "-n", ns, "-f", manifest);
        }

        await kubectl.OkAsync("wait", "-n", "team-a", "--for=condition=Ready", "ifund/sixty-forty", "--timeout=60s");

        var fundRequests = op.Cluster.Requests.Where(resource: "indexfunds").Where(r => r.UserAgent.Contains("kubectl", StringComparison.Ordinal) is false).ToList();
        Assert.NotEmpty(fundRequests);
        Assert.All(fundRequests, r => Assert.Contains(r.Namespace, new[] { "team-a", "team-c" }));
        Assert.Contains(fundRequests, r => r.Namespace == "team-c" && r.Verb == "watch");
        Assert.Equal("''", await kubectl.OkAsync("get", "-n", "team-b", "ifund/sixty-forty", "-o", "jsonpath='{.status}'"));
    }
}
