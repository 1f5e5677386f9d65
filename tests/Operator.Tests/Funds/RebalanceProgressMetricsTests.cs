using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// <c>cryptoindex_fund_rebalance_in_progress</c> and <c>cryptoindex_fund_orders_awaiting_answer</c> follow the fund's
/// status record: 1 and the orders sent without a known outcome while a rebalance is open (also in a new process, from
/// the status alone), 0 and 0 once it has finished, and gone with the fund.
/// </summary>
public sealed class RebalanceProgressMetricsTests() : BinanceOperatorTest("operator-progress-metrics-")
{
    private const string Labels = "{fund_namespace=\"default\",fund=\"sixty-forty\"}";

    [Fact]
    public async Task A_rebalance_in_progress_and_its_orders_awaiting_an_answer_are_exported_from_the_status_and_go_with_the_fund()
    {
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await ApplyWithFirstAnswerLostAsync();
        await ScrapeUntilAsync(1, 1);

        // A new process (a rollout, a new leader) reports it from the fund's status at its first reconcile.
        await Op.RestartAsync(Clock);
        await ScrapeUntilAsync(1, 1);

        Binance.ClearFaults();
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null, advance: TimeSpan.FromSeconds(5));
        await ScrapeUntilAsync(0, 0);

        await Kubectl.OkAsync("delete", "ifund", Fund, "--wait=false");
        await FakeClockPump.UntilAsync(
            Clock,
            async () => !(await Op.ScrapeAsync()).Contains(Labels, StringComparison.Ordinal),
            TimeSpan.FromSeconds(1),
            async () => "the deleted fund's series stayed:\n" + await Op.ScrapeAsync());
    }

    private Task ScrapeUntilAsync(int inProgress, int awaiting)
    {
        var expected = new[]
        {
            $"cryptoindex_fund_rebalance_in_progress{Labels} {inProgress}\n",
            $"cryptoindex_fund_orders_awaiting_answer{Labels} {awaiting}\n",
        };
        return FakeClockPump.UntilAsync(
            Clock,
            async () =>
            {
                var scrape = await Op.ScrapeAsync();
                return expected.All(e => scrape.Contains(e, StringComparison.Ordinal));
            },
            TimeSpan.FromSeconds(1),
            async () => $"expected {string.Join(" and ", expected.Select(e => e.TrimEnd()))}; scraped:\n" + await Op.ScrapeAsync());
    }
}
