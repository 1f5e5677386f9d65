using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Prometheus;

namespace CryptoIndex.MarketData.Tests;

public sealed partial class MarketDataMetricsTests
{
    [Fact]
    public async Task A_fetch_that_runs_to_the_refresh_timeout_lands_in_a_finite_duration_bucket()
    {
        // A fetch is cut at the refresh's deadline (the fallback's is the whole RefreshTimeout): a quantile over slow
        // fetches must not vanish into +Inf.
        var registry = Metrics.NewCustomRegistry();
        var metrics = new MarketDataMetrics(registry);
        var timeout = new MarketDataOptions().RefreshTimeout.TotalSeconds;
        metrics.FetchDuration.WithLabels("coingecko", "failure").Observe(timeout);

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        var buckets = BucketLine().Matches(Encoding.UTF8.GetString(stream.ToArray()))
            .Select(m => (Le: m.Groups["le"].Value, Count: long.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture)))
            .ToList();

        Assert.NotEmpty(buckets);
        var firstHolding = buckets.First(b => b.Count == 1);
        Assert.NotEqual("+Inf", firstHolding.Le);
        Assert.True(double.Parse(firstHolding.Le, CultureInfo.InvariantCulture) >= timeout, $"bucket le={firstHolding.Le}");
    }

    [GeneratedRegex("""^cryptoindex_price_request_duration_seconds_bucket\{[^}]*le="(?<le>[^"]+)"\} (?<count>\d+)""", RegexOptions.Multiline)]
    private static partial Regex BucketLine();
}
