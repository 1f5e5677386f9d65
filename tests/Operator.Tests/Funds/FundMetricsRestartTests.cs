using System.Globalization;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// What a new operator process (a rollout, a crash, a standby taking the lease) reports about funds it did not rebalance
/// itself: dashboards and alerts must not go blank until each fund's next rebalance, which may be a month away.
/// </summary>
public sealed class FundMetricsRestartTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    private readonly string folder = Directory.CreateTempSubdirectory("operator-metrics-restart-").FullName;
    private OperatorUnderTest op = null!;

    private string PricesFile => Path.Combine(folder, "prices.json");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(PricesFile, SixtyFortyFund.Prices(Start));
        op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { FilePath = PricesFile }, clock);
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task After_a_restart_the_last_rebalance_time_comes_from_the_funds_status()
    {
        using var kubectl = new Kubectl(op.Cluster);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 6h}")));
        var funded = await FakeClockPump.UntilAsync(kubectl, clock, "sixty-forty", s => FakeClockPump.ConditionReason(s) == "WithinThresholds", TimeSpan.FromSeconds(1));
        var finished = DateTimeOffset.Parse((string)funded["lastRebalanceTime"]!, CultureInfo.InvariantCulture).ToUnixTimeSeconds();
        var expected = $"cryptoindex_fund_last_rebalance_timestamp_seconds{{fund_namespace=\"default\",fund=\"sixty-forty\"}} {finished}\n";
        Assert.Contains(expected, await op.ScrapeAsync(), StringComparison.Ordinal); // the process that rebalanced reports it

        await op.RestartAsync(clock);
        var scrape = string.Empty;
        for (var step = 0; step < 300 && !scrape.Contains("cryptoindex_fund_nav{fund_namespace=\"default\",fund=\"sixty-forty\"}", StringComparison.Ordinal); step++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(20); // lets the operator's HTTP work run; the clock drives its schedule
            scrape = await op.ScrapeAsync();
        }

        Assert.Contains("cryptoindex_fund_nav{fund_namespace=\"default\",fund=\"sixty-forty\"}", scrape, StringComparison.Ordinal); // reconciled since
        Assert.Contains(expected, scrape, StringComparison.Ordinal);
    }
}
