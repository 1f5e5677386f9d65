using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>The Grafana dashboard's shape (data source and namespace/fund variables, the panels the issue lists) and
/// its PromQL, parsed by promtool.</summary>
public sealed class DashboardTests
{
    [Fact]
    public void Uses_a_datasource_variable_and_fund_namespace_and_fund_variables()
    {
        var dashboard = Dashboard.Load();

        Assert.Equal("cryptoindex-operator", (string?)dashboard["uid"]);
        Assert.Null(dashboard["id"]);
        Assert.Equal(41, (int)dashboard["schemaVersion"]!);
        var variables = dashboard["templating"]!["list"]!.AsArray().ToDictionary(v => (string)v!["name"]!, v => v!.AsObject());
        Assert.Equal("datasource", (string?)variables["datasource"]["type"]);
        Assert.Equal("prometheus", (string?)variables["datasource"]["query"]);
        foreach (var name in new[] { "job", "fund_namespace", "fund" })
        {
            Assert.True((bool)variables[name]["includeAll"]! && (bool)variables[name]["multi"]!, name);
        }

        var panels = Dashboard.Panels(dashboard).Where(p => (string?)p["type"] != "row").ToList();
        Assert.All(panels, p => Assert.Equal("${datasource}", (string?)p["datasource"]!["uid"]));
        Assert.All(panels.SelectMany(p => p["targets"]!.AsArray()), t => Assert.Equal("${datasource}", (string?)t!["datasource"]!["uid"]));
        Assert.Equal(panels.Count, panels.Select(p => (int)p["id"]!).Distinct().Count());
        Assert.All(Dashboard.Expressions(dashboard).Where(e => e.Expr.Contains("cryptoindex_fund_", StringComparison.Ordinal)),
            e => Assert.Contains("fund_namespace=~\"$fund_namespace\",fund=~\"$fund\"", e.Expr, StringComparison.Ordinal));
    }

    [Fact]
    public void All_jobs_means_the_operators_jobs_not_every_job_in_Prometheus()
    {
        // leader_election_master_status and rest_client_requests_total are exported by every controller in a cluster
        // (kube-controller-manager, other operators): "All" must expand to the jobs the job query found, never ".*".
        var dashboard = Dashboard.Load();
        var job = dashboard["templating"]!["list"]!.AsArray().Single(v => (string?)v!["name"] == "job")!;

        Assert.Null(job["allValue"]);
        Assert.Contains("controller=~\"indexfund.*\"", (string?)job["definition"], StringComparison.Ordinal);
        Assert.All(Dashboard.Expressions(dashboard).Where(e => PromQl.Analyze(e.Expr).Selectors.Any(s => !s.Metric.StartsWith("cryptoindex_", StringComparison.Ordinal))),
            e => Assert.Contains("job=~\"$job\"", e.Expr, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cryptoindex_fund_nav")]
    [InlineData("cryptoindex_fund_current_weight")]
    [InlineData("cryptoindex_fund_target_weight")]
    [InlineData("cryptoindex_fund_drift")]
    [InlineData("cryptoindex_fund_rebalance_threshold")]
    [InlineData("cryptoindex_fund_rebalances_total")]
    [InlineData("cryptoindex_fund_trades_total")]
    [InlineData("cryptoindex_fund_fees_total")]
    [InlineData("cryptoindex_fund_rebalance_in_progress")]
    [InlineData("cryptoindex_fund_orders_awaiting_answer")]
    [InlineData("cryptoindex_price_age_seconds")]
    [InlineData("controller_runtime_reconcile_total")]
    [InlineData("controller_runtime_reconcile_errors_total")]
    [InlineData("controller_runtime_reconcile_timeouts_total")]
    [InlineData("reflector_watch_restarts_total")]
    [InlineData("controller_runtime_reconcile_time_seconds_bucket")]
    [InlineData("workqueue_depth")]
    [InlineData("leader_election_master_status")]
    [InlineData("cryptoindex_exchange_requests_total")]
    [InlineData("cryptoindex_exchange_backoff_until_timestamp_seconds")]
    public void Shows_what_the_issue_asks_for(string metric)
    {
        Assert.Contains(Dashboard.Expressions(Dashboard.Load()), e => PromQl.Analyze(e.Expr).Selectors.Any(s => s.Metric == metric));
    }

    [Fact]
    public async Task Every_query_parses_as_PromQL()
    {
        var dashboard = Dashboard.Load();
        var rules = new JsonArray([.. Dashboard.Expressions(dashboard).Concat(Dashboard.VariableQueries(dashboard)).Select((e, i) =>
            (JsonNode)new JsonObject { ["record"] = $"dashboard:query_{i}", ["expr"] = PromQl.WithoutGrafanaVariables(e.Item2) })]);
        var file = Path.Combine(Path.GetTempPath(), $"dashboard-rules-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, new JsonObject { ["groups"] = new JsonArray(new JsonObject { ["name"] = "dashboard", ["rules"] = rules }) }.ToJsonString());
        try
        {
            var result = await Tool.RunAsync(Tool.Promtool, ["check", "rules", file]);

            Assert.True(result.Exit == 0, result.Describe("promtool check rules (dashboard queries)"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
