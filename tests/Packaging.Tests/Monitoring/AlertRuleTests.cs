using System.Text.RegularExpressions;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>The chart's alerts pass <c>promtool check rules</c> and their unit tests, and each has a runbook.</summary>
public sealed class AlertRuleTests
{
    private static readonly string[] Alerts =
    [
        "CryptoIndexOperatorNoLeader", "CryptoIndexReconcileErrors", "CryptoIndexPricesStale", "CryptoIndexFundStalled",
        "CryptoIndexFundDriftNotRebalanced", "CryptoIndexTradesFailed", "CryptoIndexOrdersAwaitingAnswer", "CryptoIndexExchangeBanned",
        "CryptoIndexExchangeErrors",
    ];

    private static async Task<string> WriteRulesAsync()
    {
        var folder = Directory.CreateTempSubdirectory("packaging-rules-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "rules.json"), (await PrometheusRules.SpecAsync()).ToJsonString());
        File.Copy(RepositoryPaths.Combine("tests", "Packaging.Tests", "Monitoring", "alerts-test.yaml"), Path.Combine(folder, "alerts-test.yaml"));
        return folder;
    }

    [Fact]
    public async Task The_rules_pass_promtool_check_and_the_alert_unit_tests()
    {
        var folder = await WriteRulesAsync();
        try
        {
            var check = await Tool.RunAsync(Tool.Promtool, ["check", "rules", "rules.json"], workingDirectory: folder);
            var test = await Tool.RunAsync(Tool.Promtool, ["test", "rules", "alerts-test.yaml"], workingDirectory: folder);

            Assert.True(check.Exit == 0, check.Describe("promtool check rules"));
            Assert.Contains($"SUCCESS: {Alerts.Length} rules found", check.Out, StringComparison.Ordinal);
            Assert.True(test.Exit == 0, test.Describe("promtool test rules"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Every_alert_is_shipped_fires_in_a_unit_test_and_links_to_its_runbook()
    {
        var rules = PrometheusRules.Rules(await PrometheusRules.SpecAsync()).ToList();
        var unitTests = Manifests.ToJson(await File.ReadAllTextAsync(RepositoryPaths.Combine("tests", "Packaging.Tests", "Monitoring", "alerts-test.yaml")))!;
        var runbooks = await File.ReadAllTextAsync(RepositoryPaths.Combine("docs", "operations.md"));
        var headings = Regex.Matches(runbooks, "^#{2,4} (.+)$", RegexOptions.Multiline).Select(m => m.Groups[1].Value.Trim().ToLowerInvariant()).ToHashSet();

        Assert.Equal(Alerts, rules.Select(r => (string)r["alert"]!));
        foreach (var rule in rules)
        {
            var name = (string)rule["alert"]!;
            var fires = unitTests["tests"]!.AsArray().SelectMany(t => t!["alert_rule_test"]!.AsArray())
                .Any(c => (string?)c!["alertname"] == name && c["exp_alerts"]!.AsArray().Count > 0);
            Assert.True(fires, $"{name} has no unit test in which it fires");
            var anchor = ((string)rule["annotations"]!["runbook_url"]!).Split('#')[1];
            Assert.Equal(name.ToLowerInvariant(), anchor);
            Assert.Contains(anchor, headings);
            Assert.NotNull(rule["labels"]!["severity"]);
        }
    }

    [Fact]
    public async Task Leaving_out_alerts_and_leader_election_removes_their_rules()
    {
        var spec = (await Support.Chart.TemplateAsync(string.Empty, "prometheusRule.enabled=true", "prometheusRule.renderMode=alwaysRender",
            "leaderElection.enabled=false", "prometheusRule.disabled={CryptoIndexFundStalled}")).One("PrometheusRule")["spec"]!.AsObject();

        var names = PrometheusRules.Rules(spec).Select(r => (string?)r["alert"]).ToList();

        Assert.DoesNotContain("CryptoIndexOperatorNoLeader", names);
        Assert.DoesNotContain("CryptoIndexFundStalled", names);
        Assert.Equal(Alerts.Length - 2, names.Count);
    }
}
