using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Sandbox;

namespace CryptoIndex.Operator.Tests.Sandbox;

public sealed class FundSummaryTests
{
    private static IndexFund Fund(string name, string? ns, IndexFundStatus? status) => new()
    {
        Metadata = new k8s.Models.V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Status = status,
    };

    [Fact]
    public void The_table_shows_each_fund_in_name_order_with_short_numbers_and_reasons()
    {
        var invested = Fund("top10", "default", new IndexFundStatus
        {
            Conditions = [new FundCondition { Type = "Ready", Status = "True", Reason = "WithinThresholds" }],
            Nav = "100986.028504",
            MaxDrift = "0.6213pp",
            RebalanceSequence = 2,
            LastRebalanceTime = "2026-11-26T10:39:05Z",
            LastRebalanceReason = "BTC drift +5.4pp exceeds threshold 5pp; ETH drift -5.4pp exceeds threshold 5pp",
            Trades = [new TradeRecord { Status = "Completed" }, new TradeRecord { Status = "Completed" }, new TradeRecord { Status = "Failed" }],
        });
        var stale = Fund("alpha", "team-a", new IndexFundStatus
        {
            Conditions = [new FundCondition { Type = "Ready", Status = "False", Reason = "PricesStale" }],
        });
        var fresh = Fund("new", null, null);

        var table = FundSummary.Render([FundSummary.Of(invested), FundSummary.Of(stale), FundSummary.Of(fresh)]);

        Assert.Equal(
            """
            FUND          READY                  NAV        MAX DRIFT  REBALANCES  TRADES  LAST REBALANCE
            new           -                      -          -          0           0       -
            team-a/alpha  NOT READY PricesStale  -          -          0           0       -
            top10         WithinThresholds       100986.03  0.6213pp   2           2       2026-11-26 10:39 BTC drift +5.4pp exceeds thresh…

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            table);
    }
}
