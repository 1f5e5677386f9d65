using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

public sealed class ExecutorBinanceTests
{
    private const string PlaceOrder = "POST /api/v3/order";
    private const string LookUp = "GET /api/v3/order";
    private const string Trades = "GET /api/v3/myTrades";

    [Fact]
    public async Task A_clean_rebalance_leaves_the_ledger_equal_to_the_exchange()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.All(result.Record!.Legs, l => Assert.Equal(LegState.Completed, l.State));
        Assert.Equal(4, fund.State.Orders.Count);
        Assert.All(fund.State.OrderRequests, r => Assert.True(r.Outcome is "FILLED", $"{r.ClientOrderId}: {r.Outcome}"));
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task A_second_rebalance_uses_new_ids_and_keeps_the_ledger_equal_on_a_skewed_clock()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Skew = TimeSpan.FromSeconds(-4);
        var first = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);
        fund.AssertLedgerMatchesExchange(first.Record!);

        // The market moves: ETH doubles, so the next rebalance sells ETH and buys the others.
        lock (fund.State.Gate)
        {
            fund.State.Prices["ETH"] = 6000m;
        }

        var start = fund.Start(sequence: 2) with
        {
            Holdings = first.Record!.Holdings().Value,
            Prices = new Dictionary<string, decimal>(fund.Start().Prices) { ["ETH"] = 6000m },
        };
        var second = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(2, second.Record!.Sequence);
        Assert.Contains(second.Record.Legs, l => l.Symbol == "ETH" && l.Side == OrderSide.Sell && l.State == LegState.Completed);
        Assert.All(second.Record.Legs, l => Assert.StartsWith("ci-8c0e7f3a1d2b-2-", l.ClientOrderId, StringComparison.Ordinal));
        Assert.Equal(fund.State.Orders.Count, fund.State.Orders.Select(o => o.ClientOrderId).Distinct().Count());
        fund.AssertLedgerMatchesExchange(second.Record);
    }

    [Fact]
    public async Task Orders_below_the_exchange_minimums_are_never_sent()
    {
        // 10 DOGE is worth 2 USDT, below the 5 USDT NOTIONAL filter: the planner drops the sell.
        await using var fund = await BinanceFund.CreateAsync(doge: 10m);
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Contains(result.Record!.Dropped, d => d.Symbol == "DOGE" && d.Reason == DropReason.BelowMinNotional);
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Symbol == "DOGE");
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Outcome == "-1013");
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task An_asset_held_outside_the_index_whose_market_was_delisted_is_reported_and_the_rest_rebalances()
    {
        // Binance answers the whole exchangeInfo request with -1121 for one unknown symbol.
        await using var fund = await BinanceFund.CreateAsync();
        fund.Delist("DOGE");

        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var dropped = Assert.Single(result.Record!.Dropped, d => d.Symbol == "DOGE");
        Assert.Equal((OrderSide.Sell, DropReason.MarketClosed), (dropped.Side, dropped.Reason));
        Assert.True(result.Record.Inputs.SymbolRules["DOGE"].Closed);
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Symbol == "DOGEUSDT" || r.Symbol == "DOGE");
        Assert.Contains(result.Record.Legs, l => l.Side == OrderSide.Buy && l.State == LegState.Completed);
        Assert.Equal(1000m, result.Record.Holdings().Value.QuantityOf("DOGE"));
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task An_asset_the_reconciler_marks_untradable_is_not_traded_and_its_rules_are_not_asked_for()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Delist("DOGE"); // asking for its rules would fail the whole exchangeInfo request

        var start = fund.Start() with { Untradable = new Dictionary<string, string> { ["DOGE"] = "no current price" } };
        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var dropped = Assert.Single(result.Record!.Dropped, d => d.Symbol == "DOGE");
        Assert.Equal((DropReason.MarketClosed, "Sell DOGE: no current price"), (dropped.Reason, dropped.Message));
        Assert.Single(fund.Fake.RequestLog, r => r.StartsWith("GET /api/v3/exchangeInfo", StringComparison.Ordinal)); // no fallback needed
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Symbol == "DOGEUSDT");
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task An_index_asset_without_a_market_stops_the_rebalance_before_anything_is_recorded()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Delist("SOL");

        var result = await fund.Executor().StartAsync(fund.Start(), CancellationToken.None);

        Assert.Equal(ExecutionStatus.NotStarted, result.Status);
        Assert.Contains("exchange rules unavailable", result.Reason, StringComparison.Ordinal);
        Assert.Equal(fund.Time.GetUtcNow() + TimeSpan.FromMinutes(5), result.RetryAt); // a closed market is asked again in minutes, not seconds
        Assert.Empty(fund.State.OrderRequests);
    }

    public static TheoryData<string, int, Fault> Faults()
    {
        var data = new TheoryData<string, int, Fault>();
        Fault[] onOrders =
        [
            Fault.ServerErrorBefore(), Fault.ServerErrorAfter(), Fault.TimeoutAfter(), Fault.DropAfter(),
            Fault.TooManyRequests(429, 7), Fault.TooManyRequests(418, 120), Fault.Partial(0.5m), Fault.Slow(TimeSpan.FromSeconds(2)),
            Fault.Slow(TimeSpan.FromSeconds(8)), Fault.Reject(-1021, "Timestamp for this request is outside of the recvWindow."),
            Fault.Reject(-2010, "Account has insufficient balance for requested action."),
            Fault.ErrorAfter(-1006, "An unexpected response was received from the message bus. Execution status unknown."), Fault.Waf(),
            Fault.OpenPartial(0.5m),
        ];
        foreach (var leg in new[] { 1, 2, 3, 4 })
        {
            foreach (var fault in onOrders)
            {
                data.Add(PlaceOrder, leg, fault);
            }
        }

        foreach (var fault in new[] { Fault.ServerErrorBefore(), Fault.TooManyRequests(429, 3), Fault.Slow(TimeSpan.FromSeconds(8)) })
        {
            // A look-up happens only after an unknown outcome: make the first order time out, then fail its look-up.
            data.Add(LookUp, 1, fault);
        }

        foreach (var fault in new[] { Fault.TradesLag(), Fault.ServerErrorBefore(), Fault.TooManyRequests(418, 30) })
        {
            data.Add(Trades, 1, fault);
        }

        return data;
    }

    /// <summary>
    /// Each fault hits the n-th request to an endpoint during a rebalance. Whatever it is, the rebalance finishes,
    /// no client order id executes twice, and the recorded ledger equals the exchange's balances.
    /// </summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Under_any_injected_fault_no_order_executes_twice_and_the_ledger_matches(string endpoint, int nth, Fault fault)
    {
        await using var fund = await BinanceFund.CreateAsync();
        if (endpoint is LookUp or Trades)
        {
            fund.Fake.Inject(PlaceOrder, Fault.TimeoutAfter());
        }

        fund.Fake.InjectAt(endpoint, nth, fault);
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.All(result.Record!.Legs, l => Assert.True(l.IsFinal, $"{l.ClientOrderId} {l.State}"));
        Assert.Equal(0, fund.Fake.PendingFaults);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
        if (fault.Code == -2010)
        {
            var failed = Assert.Single(result.Record.Legs, l => l.State == LegState.Failed);
            Assert.Contains("insufficient balance", failed.Reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(result.Record.Legs, l => l.State == LegState.Failed);
        }
    }

    [Theory]
    [InlineData(429, 7)]
    [InlineData(418, 120)]
    public async Task A_rate_limited_order_waits_for_retry_after_and_stays_pending(int status, int seconds)
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.TooManyRequests(status, seconds));
        var waiting = await fund.Executor().StartAsync(fund.Start(), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        Assert.Equal(fund.Time.GetUtcNow() + TimeSpan.FromSeconds(seconds), waiting.RetryAt);
        var leg = waiting.Record!.Legs[0];
        Assert.Equal(LegState.Pending, leg.State);
        Assert.Contains(status == 418 ? "IP banned" : "rate limit", leg.Reason, StringComparison.Ordinal);
        Assert.Contains(status == 418 ? "IP banned" : "rate limit", waiting.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_order_without_an_answer_is_looked_up_and_adopted_not_resent()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.TimeoutAfter());
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal(LegState.Completed, first.State);
        Assert.Equal(1, first.Attempts);
        Assert.Single(fund.State.OrderRequests, r => r.ClientOrderId == first.ClientOrderId);
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task An_order_the_exchange_never_got_is_resent_with_the_same_id_only_after_its_recv_window()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.ServerErrorBefore());
        var executor = fund.Executor();
        var sentAt = fund.Time.GetUtcNow();
        var waiting = await executor.StartAsync(fund.Start(), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        Assert.True(waiting.RetryAt > sentAt + TimeSpan.FromSeconds(5), $"retry at {waiting.RetryAt}");
        Assert.Equal(LegState.Sent, waiting.Record!.Legs[0].State);
        Assert.Empty(fund.State.Orders);

        var result = await Driver.RunToEndAsync(executor, fund.Start(), fund.Time);
        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal((LegState.Completed, 2), (first.State, first.Attempts));
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// The order request is still travelling when the client gives up (timeout 2 s, recvWindow 5 s). The look-up
    /// finds nothing, yet resending now would execute twice once the late request arrives: the executor waits until
    /// the request's timestamp is out of its receive window, finds it, and adopts it.
    /// </summary>
    [Fact]
    public async Task An_order_still_in_flight_is_not_resent_before_its_recv_window_has_passed()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var held = Fault.Hold();
        fund.Fake.Inject(PlaceOrder, held);
        var executor = fund.Executor(binance: new Binance.BinanceOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
        var running = executor.StartAsync(fund.Start(), CancellationToken.None);
        await held.Arrived.Task;
        fund.Time.Advance(TimeSpan.FromSeconds(2.5));
        var waiting = await running;
        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        Assert.Empty(fund.State.Orders);

        held.Release.SetResult();
        await held.Processed.Task;
        Assert.Single(fund.State.Orders);

        var result = await Driver.RunToEndAsync(executor, fund.Start(), fund.Time);
        Assert.Equal(1, result.Record!.Legs.Single(l => l.Leg == 1).Attempts);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>The operator is shut down (cancellation) while an order is on the wire; the order executes anyway.</summary>
    [Fact]
    public async Task A_shutdown_during_an_order_leaves_it_to_be_looked_up_by_the_next_operator()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var held = Fault.Hold();
        fund.Fake.Inject(PlaceOrder, held);
        using var shutdown = new CancellationTokenSource();
        var running = fund.Executor().StartAsync(fund.Start(), shutdown.Token);
        await held.Arrived.Task;
        await shutdown.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        held.Release.SetResult();
        await held.Processed.Task;

        var recorded = (await fund.Journal.LoadAsync(BinanceFund.Uid, CancellationToken.None))!;
        Assert.Equal(LegState.Sent, recorded.Legs[0].State);

        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);
        Assert.Equal(1, result.Record!.Legs[0].Attempts);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// A leader hand-over: an old operator instance still works from the record it read before the new one moved on.
    /// Its first save is refused (the record's revision moved), so it sends nothing.
    /// </summary>
    [Fact]
    public async Task An_executor_working_from_a_stale_record_is_stopped_before_it_sends()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var start = fund.Start();
        Assert.True(await Driver.RunUntilCrashAsync(fund.Executor(new CrashSwitch(3, afterEffect: true)), start, fund.Time)); // rules, account, then the first save
        var stale = (await fund.Journal.LoadAsync(BinanceFund.Uid, CancellationToken.None))!;
        Assert.All(stale.Legs, l => Assert.Equal(LegState.Pending, l.State));

        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);
        var requests = fund.State.OrderRequests.Count;

        var old = new RebalanceExecutor(
            fund.Exchange(), new StaleJournal(fund.Journal, stale), new ExchangeMetrics(fund.Registry), fund.Time, fund.Logs.For<RebalanceExecutor>());
        await Assert.ThrowsAsync<RebalanceConflictException>(() => old.ResumeAsync(BinanceFund.Uid, CancellationToken.None));

        Assert.Equal(requests, fund.State.OrderRequests.Count);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record!);
    }

    private sealed class StaleJournal(IRebalanceJournal inner, RebalanceRecord stale) : IRebalanceJournal
    {
        public Task<RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken) => Task.FromResult<RebalanceRecord?>(stale);

        public void Stage(RebalanceRecord record) => inner.Stage(record);

        public Task SaveAsync(RebalanceRecord record, CancellationToken cancellationToken) => inner.SaveAsync(record, cancellationToken);
    }

    [Fact]
    public async Task A_partially_filled_sell_gets_a_second_round_before_the_buys()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.Partial(0.5m));
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        var record = result.Record!;
        Assert.Equal(2, record.SellRounds);
        var partial = record.Legs.Single(l => l.Leg == 1);
        Assert.Contains("partially filled", partial.Reason, StringComparison.Ordinal);
        Assert.Contains(record.Legs, l => l.Side == OrderSide.Sell && l.Symbol == partial.Symbol && l.Leg > 4 && l.State == LegState.Completed);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(record);
    }

    /// <summary>
    /// The operator stops at every step of a Binance rebalance (each journal save and each exchange call, before or
    /// after it took effect) and a new operator stack resumes from the journal and the same fake exchange.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crash_between_any_two_steps_never_executes_an_order_twice(bool afterEffect)
    {
        decimal[] expected;
        await using (var reference = await BinanceFund.CreateAsync())
        {
            await Driver.RunToEndAsync(reference.Executor(), reference.Start(), reference.Time);
            expected = [.. new[] { "USDT", "BTC", "ETH", "SOL", "DOGE" }.Select(reference.State.Balance)];
        }

        var crashes = 0;
        for (var k = 1; ; k++)
        {
            await using var fund = await BinanceFund.CreateAsync();
            var start = fund.Start();
            if (!await Driver.RunUntilCrashAsync(fund.Executor(new CrashSwitch(k, afterEffect)), start, fund.Time))
            {
                break;
            }

            crashes++;
            var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);
            Assert.Equal(ExecutionStatus.Done, result.Status);
            fund.AssertNoDoubleExecution();
            fund.AssertLedgerMatchesExchange(result.Record!);
            Assert.Equal(expected, new[] { "USDT", "BTC", "ETH", "SOL", "DOGE" }.Select(fund.State.Balance).ToArray());
        }

        Assert.True(crashes >= 20, $"only {crashes} crash points exercised");
    }
}
