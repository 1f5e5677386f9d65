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
    public async Task A_paper_rebalance_is_stored_by_three_saves_each_ending_a_phase_with_every_order_of_it()
    {
        // Paper keeps no orders: a fill exists once stored. Recording each order before and after it was sent (two
        // status writes per order) bought nothing, so a phase's orders are stored by the save that ends it.
        var fund = new PaperFund();
        var result = await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time);

        var saves = fund.Journal.History.ToList();
        Assert.Equal([RebalancePhase.Selling, RebalancePhase.Buying, RebalancePhase.Done], saves.Select(r => r.Phase));
        Assert.Equal([1L, 2L, 3L], saves.Select(r => r.Revision));
        Assert.All(saves[0].Legs, l => Assert.Equal(LegState.Pending, l.State));
        Assert.All(saves[1].Legs.Where(l => l.Side == OrderSide.Sell), l => Assert.Equal((LegState.Completed, 1), (l.State, l.Attempts)));
        Assert.All(saves[1].Legs.Where(l => l.Side == OrderSide.Buy), l => Assert.Equal(LegState.Pending, l.State));
        Assert.All(saves[2].Legs, l => Assert.Equal((LegState.Completed, 1), (l.State, l.Attempts)));
        Assert.All(saves[2].Legs, l => Assert.NotNull(l.SentAt));
        Assert.Same(result.Record, saves[2]);
    }

    [Fact]
    public async Task Each_paper_buy_is_checked_against_the_cash_the_buys_before_it_in_the_phase_left()
    {
        // 3% slippage and no headroom: the buys, sized on reference prices, fill 3% dearer and the cash runs out before
        // the last one. The paper exchange must see the earlier buys' fills, staged but not stored yet, to refuse it;
        // checked against the ledger as last stored, it would fill and leave the fund with negative cash.
        var fund = new PaperFund(slippageBps: 300m);
        var result = await Driver.RunToEndAsync(fund.Executor(options: new ExecutorOptions(BuyHeadroom: 0m)), PaperFund.Start(), fund.Time);

        var refused = Assert.Single(result.Record!.Legs, l => l.State == LegState.Failed);
        Assert.Equal(OrderSide.Buy, refused.Side);
        Assert.Contains("insufficient balance", refused.Reason, StringComparison.Ordinal);
        var holdings = result.Record.Holdings();
        Assert.True(holdings.IsSuccess, holdings.ToString());
        Assert.True(holdings.Value.Cash >= 0m, holdings.Value.Cash.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_wait_in_the_middle_of_a_paper_phase_stores_the_orders_done_before_it()
    {
        var reference = new PaperFund();
        var expected = (await Driver.RunToEndAsync(reference.Executor(), PaperFund.Start(), reference.Time)).Record!;

        // The clock cannot be read for the second sell: the call waits, and what the first sell did is stored, not
        // left staged (the next call, perhaps another operator's, starts from the stored record).
        var fund = new PaperFund();
        var executor = new RebalanceExecutor(
            new ClockOutage(fund.Exchange(), failingRead: 2), fund.Journal, new ExchangeMetrics(fund.Registry), fund.Time, fund.Logs.For<RebalanceExecutor>());
        var waiting = await executor.StartAsync(PaperFund.Start(), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        var stored = await fund.Journal.LoadAsync(PaperFund.Uid, CancellationToken.None);
        Assert.Same(stored, waiting.Record);
        Assert.Equal([LegState.Completed, LegState.Pending], stored!.Legs.Where(l => l.Side == OrderSide.Sell).Take(2).Select(l => l.State));
        Assert.Equal([RebalancePhase.Selling, RebalancePhase.Selling], fund.Journal.History.Select(r => r.Phase));

        var result = await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time);
        Assert.Equal(expected.Holdings().Value.Cash, result.Record!.Holdings().Value.Cash);
        Assert.Equal(expected.Holdings().Value.Quantities, result.Record.Holdings().Value.Quantities);
    }

    /// <summary>A paper exchange whose clock cannot be read the <c>failingRead</c>th time.</summary>
    private sealed class ClockOutage(IExchange inner, int failingRead) : ForwardingExchange(inner)
    {
        private int reads;

        public override Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken) => ++reads == failingRead
            ? throw new ExchangeException(ExchangeErrorKind.Unavailable, "clock unavailable", retryAfter: TimeSpan.FromSeconds(1))
            : Inner.GetTimeAsync(cancellationToken);
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
            _ => Task.FromResult(fund.Journal.Current(PaperFund.Uid)?.Holdings().Value ?? holdings),
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
        var operations = new CrashSwitch(int.MaxValue, afterEffect); // never fires: counts the uninterrupted run's operations
        var expected = (await Driver.RunToEndAsync(reference.Executor(operations), PaperFund.Start(), reference.Time)).Record!;

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
            PaperFund.AssertSameEndState(expected, result);
        }

        Assert.Equal(operations.Count, crashes); // a crash at every operation: 3 saves, the rules, the account, and each order's clock and send
        Assert.True(crashes >= 14, $"only {crashes} crash points exercised");
    }
}
