using System.Runtime.CompilerServices;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// A paper rebalance with a second sell round (the first DOGE sell refused), so three phases are stored together: a
/// crash at any step must leave the same books as the uninterrupted run.
/// </summary>
public sealed class PaperSellRoundsTests
{
    private static RebalanceExecutor Executor(PaperFund fund, CrashSwitch? crash, StrongBox<string?> refused)
    {
        IExchange exchange = new RefusesFirstDogeSell(fund.Exchange(), refused);
        return new RebalanceExecutor(
            crash is null ? exchange : new CrashingExchange(exchange, crash),
            crash is null ? fund.Journal : new CrashingJournal(fund.Journal, crash),
            new ExchangeMetrics(fund.Registry),
            fund.Time,
            fund.Logs.For<RebalanceExecutor>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crash_at_any_step_of_a_rebalance_with_two_sell_rounds_resumes_to_the_same_end_state(bool afterEffect)
    {
        var reference = new PaperFund();
        var operations = new CrashSwitch(int.MaxValue, afterEffect);
        var expected = (await Driver.RunToEndAsync(Executor(reference, operations, new StrongBox<string?>()), PaperFund.Start(), reference.Time)).Record!;
        Assert.Equal(2, expected.SellRounds);
        Assert.Contains(expected.Legs, l => l.Symbol == "DOGE" && l.State == LegState.Failed);
        Assert.Contains(expected.Legs, l => l.Symbol == "DOGE" && l.State == LegState.Completed);
        Assert.Equal(
            [RebalancePhase.Selling, RebalancePhase.Selling, RebalancePhase.Buying, RebalancePhase.Done],
            reference.Journal.History.Select(r => r.Phase));

        var crashes = 0;
        for (var k = 1; k <= operations.Count; k++)
        {
            var fund = new PaperFund();
            var refused = new StrongBox<string?>(); // the same leg is refused across the crash
            if (!await Driver.RunUntilCrashAsync(Executor(fund, new CrashSwitch(k, afterEffect), refused), PaperFund.Start(), fund.Time))
            {
                continue; // after its effect, the refused order throws before the crash would: nothing to resume
            }

            crashes++;
            var result = await Driver.RunToEndAsync(Executor(fund, null, refused), PaperFund.Start(), fund.Time);
            PaperFund.AssertSameEndState(expected, result);
        }

        Assert.True(crashes >= operations.Count - 1, $"{crashes} of {operations.Count}");
    }

    /// <summary>Refuses the first DOGE sell leg (every attempt), so the replan sells DOGE again in a second round.</summary>
    private sealed class RefusesFirstDogeSell(IExchange inner, StrongBox<string?> refused) : ForwardingExchange(inner)
    {
        public override Task<OrderReport> PlaceMarketOrderAsync(MarketOrder order, CancellationToken cancellationToken)
        {
            if (order.Asset == "DOGE" && order.Side == OrderSide.Sell && (refused.Value ??= order.ClientOrderId) == order.ClientOrderId)
            {
                throw new ExchangeException(ExchangeErrorKind.Rejected, "paper: refused once for the test");
            }

            return Inner.PlaceMarketOrderAsync(order, cancellationToken);
        }
    }
}
