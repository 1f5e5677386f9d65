using System.Text.RegularExpressions;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>What the dashboard's panel descriptions say about a fund's state agrees with what the operator reports.</summary>
public sealed class DashboardDescriptionTests
{
    /// <summary>The reasons the operator writes with Ready=True (FundEvaluator, FundReconciler, DryRunPlan).</summary>
    private static readonly string[] ReadyTrue =
        [FundEvaluator.WithinThresholds, FundEvaluator.RebalanceHeldBack, FundReconciler.NothingToTrade, DryRunPlan.Phase];

    /// <summary>The reasons the operator writes with Ready=False.</summary>
    private static readonly string[] ReadyFalse =
    [
        FundEvaluator.PricesStale, FundEvaluator.TargetsUnavailable, FundEvaluator.RebalanceNeeded, FundEvaluator.Suspended,
        FundConditions.InvalidSpecReason, "ProviderUnavailable", FundReconciler.CredentialsUnavailable, FundReconciler.CredentialsRefused,
        FundReconciler.ExchangeChanged, FundReconciler.ExchangeDisabled, FundReconciler.ExchangeUnavailable, "RebalanceFailed",
        FundReconciler.LedgerMismatch, RebalancePause.DeletingReason,
    ];

    [Fact]
    public void The_Ready_panel_names_the_reasons_that_read_1_and_those_that_read_0()
    {
        var description = Description("cryptoindex_fund_ready");
        var split = description.IndexOf("0 while", StringComparison.Ordinal);
        Assert.True(split > 0, $"the Ready panel should say what reads 1, then what reads 0 (\"0 while …\"): {description}");

        Assert.Equal(ReadyTrue.Order(StringComparer.Ordinal), Reasons(description[..split]));
        Assert.Equal(ReadyFalse.Order(StringComparer.Ordinal), Reasons(description[split..]));
    }

    [Fact]
    public void The_last_rebalance_panel_says_it_is_read_from_the_funds_status()
    {
        // The gauge is set from status at a fund's first reconcile (FundMetrics.SetLastRebalance), so a restarted
        // operator or a new leader shows the real last rebalance, not only those it completed itself.
        var description = Description("cryptoindex_fund_last_rebalance_timestamp_seconds");

        Assert.DoesNotContain("process", description, StringComparison.Ordinal);
        Assert.Contains("status.lastRebalanceTime", description, StringComparison.Ordinal);
    }

    private static string Description(string metric)
    {
        var panel = Assert.Single(Dashboard.Panels(Dashboard.Load()),
            p => (p["targets"]?.AsArray() ?? []).Any(t => PromQl.Analyze((string)t!["expr"]!).Selectors.Any(s => s.Metric == metric)));
        return (string?)panel["description"] ?? string.Empty;
    }

    /// <summary>The operator's Ready reasons the text names, each as a whole word.</summary>
    private static IEnumerable<string> Reasons(string text) =>
        ReadyTrue.Concat(ReadyFalse).Where(r => Regex.IsMatch(text, $@"\b{r}\b")).Order(StringComparer.Ordinal);
}
