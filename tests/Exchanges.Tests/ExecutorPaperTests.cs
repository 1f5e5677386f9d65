using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Paper;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

public sealed class ExecutorPaperTests
{
    [Fact]
    public async Task Rebalance_sells_then_buys_and_lands_on_target()
    {
        var fund = new PaperFund();
        var result = await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var record = result.Record!;
        Assert.All(record.Legs, l => Assert.Equal(LegState.Completed, l.State));
        Assert.Contains(record.Legs, l => l.Side == OrderSide.Sell && l.Symbol == "DOGE");
        Assert.Contains(record.Legs, l => l.Side == OrderSide.Buy && l.Symbol == "SOL");

        // Planning again after the rebalance trades nothing but dust and the 1% buy headroom left in cash.
        var again = TradePlanner.Plan(new PlanRequest(record.Holdings().Value, PaperFund.Prices, PaperFund.Targets, PaperFund.Rules, new PlanOptions(0.001m))).Value;
        Assert.All(again.Orders, o => Assert.True(o.Notional < 0.01m * again.Nav, $"{o.Side} {o.Symbol} {o.Notional}"));
    }

    [Fact]
    public async Task A_plan_whose_every_order_is_below_the_minimums_records_nothing_and_sends_nothing()
    {
        var fund = new PaperFund();
        var start = PaperFund.Start() with { Options = new PlanOptions(FeeRate: 0.001m, MinTradeValue: 1_000_000m) };

        var result = await fund.Executor().StartAsync(start, CancellationToken.None);

        Assert.Equal(ExecutionStatus.NothingToTrade, result.Status);
        Assert.StartsWith("no order is large enough to send: ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("DOGE", result.Reason, StringComparison.Ordinal);
        Assert.Empty(fund.Journal.History);
        Assert.Null(await fund.Journal.LoadAsync(PaperFund.Uid, CancellationToken.None));
    }

    [Fact]
    public async Task The_plan_is_recorded_before_the_first_order_and_no_buy_is_sent_before_every_sell_is_done()
    {
        var fund = new PaperFund();
        await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time);

        var history = fund.Journal.History.ToList();
        Assert.All(history[0].Legs, l => Assert.Equal(LegState.Pending, l.State));
        Assert.Equal(RebalancePhase.Selling, history[0].Phase);
        foreach (var record in history.Where(r => r.Legs.Any(l => l.Side == OrderSide.Buy && l.State != LegState.Pending && l.State != LegState.Skipped)))
        {
            Assert.NotEqual(RebalancePhase.Selling, record.Phase);
            Assert.All(record.Legs.Where(l => l.Side == OrderSide.Sell), l => Assert.True(l.IsFinal));
        }
    }

    [Fact]
    public async Task Buys_are_resized_to_the_cash_the_sells_actually_brought()
    {
        // 3% slippage: the sells bring less than planned; buying the first plan's quantities would overspend.
        var fund = new PaperFund(slippageBps: 300m);
        var result = await Driver.RunToEndAsync(fund.Executor(options: new ExecutorOptions(BuyHeadroom: 0.03m)), PaperFund.Start(), fund.Time);

        var planned = fund.Journal.History.First().Legs.Where(l => l.Side == OrderSide.Buy).ToDictionary(l => l.Leg, l => l.Quantity);
        var executed = result.Record!.Legs.Where(l => l.Side == OrderSide.Buy).ToList();
        Assert.All(executed, l => Assert.Equal(LegState.Completed, l.State));
        Assert.All(executed, l => Assert.True(l.Quantity < planned[l.Leg], $"{l.Symbol}: {l.Quantity} vs planned {planned[l.Leg]}"));
        var holdings = result.Record.Holdings();
        Assert.True(holdings.IsSuccess, holdings.ToString());
        Assert.InRange(holdings.Value.Cash, 0m, 0.04m * holdings.Value.Cash + 300m);
    }

    [Fact]
    public async Task Starting_again_the_same_sequence_does_not_trade_again()
    {
        var fund = new PaperFund();
        var first = await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time);
        var saves = fund.Journal.History.Count;
        var second = await fund.Executor().StartAsync(PaperFund.Start(), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Done, second.Status);
        Assert.Same(first.Record, second.Record);
        Assert.Equal(saves, fund.Journal.History.Count);
    }

    [Fact]
    public async Task An_infeasible_plan_starts_nothing_and_names_the_field()
    {
        var fund = new PaperFund();
        var start = PaperFund.Start() with { Options = new PlanOptions(FeeRate: 0.9m) };
        var result = await fund.Executor().StartAsync(start, CancellationToken.None);
        Assert.Equal(ExecutionStatus.NotStarted, result.Status);
        Assert.Equal("exchange.feeRate", result.PlanError!.Field);
        Assert.Empty(fund.Journal.History);
    }

    [Fact]
    public async Task Orders_below_the_exchange_minimums_are_reported_not_sent()
    {
        var fund = new PaperFund();
        // 10 DOGE = 2 USDT, below DOGE's minimum notional of 5: the planner drops the sell, nothing is sent for it.
        var start = PaperFund.Start(holdings: Holdings.Of(5000m, ("BTC", 0.2m), ("ETH", 1m), ("DOGE", 10m)));
        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);
        Assert.DoesNotContain(result.Record!.Legs, l => l.Symbol == "DOGE");
        Assert.Contains(result.Record.Dropped, d => d.Symbol == "DOGE" && d.Reason == DropReason.BelowMinNotional);
        Assert.Equal(10m, result.Record.Holdings().Value.QuantityOf("DOGE"));
    }

    [Fact]
    public async Task Without_lot_steps_an_asset_that_left_the_index_is_sold_to_the_last_unit()
    {
        // A buy's commission in the asset leaves more places than the 12 a quantity is cut to without a step.
        var fund = new PaperFund();
        var holdings = Holdings.Of(5000m, ("BTC", 0.2m), ("ETH", 1m), ("DOGE", 999.000000000000714m));
        var exchange = new PaperExchange(
            asset => PaperFund.Prices[asset],
            async ct => (await fund.Journal.LoadAsync(PaperFund.Uid, ct))?.Holdings().Value ?? holdings,
            new PaperOptions(FeeRate: 0.001m),
            fund.Time);
        var executor = new RebalanceExecutor(exchange, fund.Journal, new ExchangeMetrics(fund.Registry), fund.Time, fund.Logs.For<RebalanceExecutor>());

        var result = await Driver.RunToEndAsync(executor, PaperFund.Start(holdings: holdings), fund.Time);

        var sell = Assert.Single(result.Record!.Legs, l => l.Symbol == "DOGE");
        Assert.Equal((LegState.Completed, 999.000000000000714m), (sell.State, sell.Quantity));
        Assert.Equal(0m, result.Record.Holdings().Value.QuantityOf("DOGE"));
    }

    /// <summary>
    /// The operator process stops at every operation of a rebalance (each journal save and exchange call), before
    /// or right after that operation took effect, and a new executor takes over. Paper fills are deterministic, so
    /// the end state must equal the uninterrupted run's exactly: a leg executed twice (or lost) would change it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crash_at_any_step_resumes_to_the_same_end_state(bool afterEffect)
    {
        var reference = new PaperFund();
        var expected = (await Driver.RunToEndAsync(reference.Executor(), PaperFund.Start(), reference.Time)).Record!;

        var crashes = 0;
        for (var k = 1; ; k++)
        {
            var fund = new PaperFund();
            var crash = new CrashSwitch(k, afterEffect);
            if (!await Driver.RunUntilCrashAsync(fund.Executor(crash), PaperFund.Start(), fund.Time))
            {
                break;
            }

            crashes++;
            var result = await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time);
            Assert.Equal(ExecutionStatus.Done, result.Status);
            Assert.Equal(expected.Holdings().Value.Cash, result.Record!.Holdings().Value.Cash);
            Assert.Equal(expected.Holdings().Value.Quantities, result.Record.Holdings().Value.Quantities);
            Assert.Equal(
                expected.Legs.Select(l => (l.ClientOrderId, l.State, l.Fills.Count)),
                result.Record.Legs.Select(l => (l.ClientOrderId, l.State, l.Fills.Count)));
        }

        Assert.True(crashes >= 15, $"only {crashes} crash points exercised");
    }
}
