using System.Globalization;
using System.Text.RegularExpressions;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>
/// The dashboard and the alerts reference only metrics (and labels of them) that a running operator exports: every
/// expression is checked against a real scrape of /metrics.
/// </summary>
public sealed partial class MetricsContractTests(OperatorWithFunds fixture) : IClassFixture<OperatorWithFunds>
{
    [Fact]
    public void The_scrape_has_the_fund_controller_and_leader_series()
    {
        var text = fixture.ScrapeText;

        Assert.Contains("cryptoindex_fund_nav{fund_namespace=\"default\",fund=\"equal-weight\"}", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_fund_trades_total{fund_namespace=\"default\",fund=\"equal-weight\",side=\"buy\",status=\"completed\"} 5", text, StringComparison.Ordinal);
        Assert.Contains("cryptoindex_price_rejections_total{provider=\"file\",reason=\"non_positive_price\"}", text, StringComparison.Ordinal);
        Assert.Contains("controller_runtime_reconcile_total{controller=\"indexfund\",result=\"requeue_after\"}", text, StringComparison.Ordinal);
        Assert.Contains("leader_election_master_status{name=\"cryptoindex-operator\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_scrape_has_the_banned_exchange_request_and_its_back_off()
    {
        var text = fixture.ScrapeText;

        // The dry run asked once: a ban is not retried, and the venue is not asked again before its Retry-After.
        Assert.Contains(
            "cryptoindex_exchange_requests_total{exchange=\"binance\",method=\"GET\",path=\"/api/v3/exchangeInfo\",status=\"418\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains(
            "cryptoindex_exchange_request_duration_seconds_count{exchange=\"binance\",method=\"GET\",path=\"/api/v3/exchangeInfo\"} 1\n", text, StringComparison.Ordinal);
        var until = double.Parse(
            Assert.Single(text.Split('\n'), l => l.StartsWith("cryptoindex_exchange_backoff_until_timestamp_seconds{exchange=\"binance\"} ", StringComparison.Ordinal)).Split(' ')[1],
            CultureInfo.InvariantCulture);
        // Retry-After 3600 s from when Binance answered, which was after the funds were applied and before the scrape.
        Assert.InRange(until, fixture.AppliedAt.AddSeconds(3600).ToUnixTimeMilliseconds() / 1000d, fixture.ScrapedAt.AddSeconds(3600).ToUnixTimeMilliseconds() / 1000d);
    }

    [Fact]
    public void Every_dashboard_query_uses_only_exported_metrics_and_labels()
    {
        var dashboard = Dashboard.Load();
        var expressions = Dashboard.Expressions(dashboard).Concat(Dashboard.VariableQueries(dashboard)).ToList();

        var problems = expressions.SelectMany(e => MetricsContract.Problems(fixture.Scrape, e.Item2).Select(p => $"{e.Item1}: {p}")).ToList();

        Assert.True(expressions.Count > 20, "the dashboard should have its panels' queries");
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_fund_variables_offer_every_fund_the_operator_reports()
    {
        // A fund whose spec was invalid from the start never traded, so it has no NAV, yet it is reported (Ready 0,
        // and the stalled alert names it): the Fund namespace and Fund drop-downs must offer it to look at.
        var reported = Funds(m => m.StartsWith("cryptoindex_fund_", StringComparison.Ordinal));
        Assert.Contains(("default", "invalid-cap"), reported);

        foreach (var (variable, expr) in Dashboard.VariableQueries(Dashboard.Load()).Where(v => v.Variable is "fund_namespace" or "fund"))
        {
            var metric = Assert.Single(PromQl.Analyze(expr).Selectors).Metric;
            Assert.True(reported.SetEquals(Funds(m => m == metric)), $"variable {variable} lists the funds of {metric}: {string.Join(", ", Funds(m => m == metric))}; the operator reports {string.Join(", ", reported)}");
        }
    }

    private HashSet<(string Namespace, string Fund)> Funds(Func<string, bool> metric) =>
        FundSeries().Matches(fixture.ScrapeText).Where(m => metric(m.Groups["metric"].Value))
            .Select(m => (m.Groups["ns"].Value, m.Groups["fund"].Value)).ToHashSet();

    [GeneratedRegex("""^(?<metric>cryptoindex_fund_\w+)\{fund_namespace="(?<ns>[^"]*)",fund="(?<fund>[^"]*)"[,}]""", RegexOptions.Multiline)]
    private static partial Regex FundSeries();

    [Fact]
    public async Task Every_alert_uses_only_exported_metrics_and_labels()
    {
        var rules = PrometheusRules.Rules(await PrometheusRules.SpecAsync()).ToList();

        var problems = rules.SelectMany(r => MetricsContract.Problems(fixture.Scrape, (string)r["expr"]!).Select(p => $"{r["alert"]}: {p}")).ToList();

        Assert.Equal(9, rules.Count);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public async Task The_scrape_passes_promtool_check_metrics()
    {
        var result = await Tool.RunAsync(Tool.Promtool, ["check", "metrics"], stdin: fixture.ScrapeText);

        Assert.True(result.Exit == 0, result.Describe("promtool check metrics"));
    }

    [Fact]
    public async Task The_Argo_CD_health_check_reads_live_funds_as_healthy_or_degraded()
    {
        var ready = await ArgoHealth.AssessAsync(await fixture.FundAsync("equal-weight"));
        var invalid = await ArgoHealth.AssessAsync(await fixture.FundAsync("invalid-cap"));
        var stale = await ArgoHealth.AssessAsync(await fixture.FundAsync("no-price"));

        Assert.Equal("Healthy", ready.Status);
        Assert.Equal("Degraded", invalid.Status);
        Assert.Contains("spec.assetCap", invalid.Message, StringComparison.Ordinal);
        Assert.Equal("Degraded", stale.Status);
        Assert.Contains("DOGE", stale.Message, StringComparison.Ordinal);
    }
}
