using CryptoIndex.Engine;
using System.Globalization;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>Regression tests for the review findings on the executor and the Binance client (each failed before its fix).</summary>
public sealed class ReviewFindingsTests
{
    private const string PlaceOrder = "POST /api/v3/order";
    private const string LookUp = "GET /api/v3/order";
    private const string NoSuchOrder = "Order does not exist.";

    /// <summary>
    /// The order request is held in the network; the client gives up at 2 s. The look-up is answered "no such order"
    /// at 4.5 s, inside the order's recvWindow; the held order then arrives and executes; the answer reaches the
    /// operator at 6.4 s, past SentAt + AcceptanceWindow (6 s). Judged by the clock read before the look-up, the
    /// "not found" is not final: the executor waits and adopts the order instead of sending it a second time.
    /// </summary>
    [Fact]
    public async Task A_not_found_answer_that_arrives_after_the_window_does_not_resend_an_order_accepted_meanwhile()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var held = Fault.Hold();
        fund.Fake.Inject(PlaceOrder, held);
        fund.Fake.Inject(LookUp, Fault.LateAnswer(TimeSpan.FromSeconds(1.9), thenRelease: held));
        var executor = fund.Executor(binance: new BinanceOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
        var running = executor.StartAsync(fund.Start(), CancellationToken.None);
        await held.Arrived.Task;
        fund.Time.Advance(TimeSpan.FromSeconds(4.5));
        var waiting = await running;

        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        Assert.Single(fund.State.Orders);
        var result = await Driver.RunToEndAsync(executor, fund.Start(), fund.Time);
        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal((LegState.Completed, 1), (first.State, first.Attempts));
        Assert.Single(fund.State.OrderRequests, r => r.ClientOrderId == first.ClientOrderId);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// The exchange answered the order (PARTIALLY_FILLED, with fills and an order id); a later look-up says -2013.
    /// That is a failed look-up, not a missing order: the leg is never resent and keeps its recorded fills.
    /// </summary>
    [Fact]
    public async Task An_order_the_exchange_showed_is_never_resent_after_a_not_found_look_up()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.OpenPartial(0.5m));
        var executor = fund.Executor();
        var open = await executor.StartAsync(fund.Start(), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Waiting, open.Status);
        var seen = open.Record!.Legs.Single(l => l.Leg == 1);
        Assert.NotNull(seen.ExchangeOrderId);
        Assert.NotEmpty(seen.Fills);

        for (var i = 0; i < 3; i++)
        {
            fund.Fake.Inject(LookUp, Fault.Reject(-2013, NoSuchOrder));
            fund.Time.Advance(TimeSpan.FromSeconds(10));
            var after = await executor.ResumeAsync(BinanceFund.Uid, CancellationToken.None);

            Assert.Equal(ExecutionStatus.Waiting, after.Status);
            var leg = after.Record!.Legs.Single(l => l.Leg == 1);
            Assert.Equal((LegState.Sent, 1, seen.ExchangeOrderId), (leg.State, leg.Attempts, leg.ExchangeOrderId));
            Assert.Equal(seen.Fills, leg.Fills);
            Assert.Single(fund.State.OrderRequests, r => r.ClientOrderId == leg.ClientOrderId);
            fund.AssertLedgerMatchesExchange(after.Record);
        }
    }

    /// <summary>Binance executed the order but answered a code that does not say it refused it (-1006, -1000, unknown).</summary>
    [Theory]
    [InlineData(-1006, "An unexpected response was received from the message bus. Execution status unknown.")]
    [InlineData(-1000, "An unknown error occurred while processing the request.")]
    [InlineData(-1234, "A code this client has never heard of.")]
    public async Task An_order_answered_with_an_unclear_code_is_looked_up_not_failed(int code, string message)
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.ErrorAfter(code, message));
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal((LegState.Completed, 1), (first.State, first.Attempts));
        Assert.DoesNotContain(result.Record.Legs, l => l.State == LegState.Failed);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// The first attempt executed, but two look-ups (a lagging replica) said -2013, so the leg was resent; the resend
    /// is refused for insufficient balance because the first attempt already sold. One more look-up finds the first
    /// attempt: the leg is adopted, not failed.
    /// </summary>
    [Fact]
    public async Task A_rejected_resend_is_looked_up_once_more_before_the_leg_fails()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.ServerErrorAfter());
        fund.Fake.Inject(PlaceOrder, Fault.Reject(-2010, "Account has insufficient balance for requested action."));
        fund.Fake.Inject(LookUp, Fault.Reject(-2013, NoSuchOrder));
        fund.Fake.Inject(LookUp, Fault.Reject(-2013, NoSuchOrder));
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        Assert.Equal(0, fund.Fake.PendingFaults);
        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal((LegState.Completed, 2), (first.State, first.Attempts));
        Assert.DoesNotContain(result.Record.Legs, l => l.State == LegState.Failed);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task A_rejected_resend_of_an_order_that_never_executed_fails_after_one_more_look_up()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.ServerErrorBefore());
        fund.Fake.Inject(PlaceOrder, Fault.Reject(-2010, "Account has insufficient balance for requested action."));
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);

        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal((LegState.Failed, 2), (first.State, first.Attempts));
        Assert.Contains("insufficient balance", first.Reason, StringComparison.Ordinal);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// A commission paid in BNB (fee discount) is the account's, outside the fund: recorded as an External fee with its
    /// asset, from the FULL answer and from the look-up (myTrades) alike, and never valued as the fund's.
    /// </summary>
    [Fact]
    public async Task A_commission_paid_in_bnb_is_recorded_as_an_external_fee_from_the_order_and_from_the_look_up()
    {
        await using var fund = await BinanceFund.CreateAsync();
        PayCommissionsInBnb(fund);
        var exchange = fund.Exchange();

        var placed = await exchange.PlaceMarketOrderAsync(new MarketOrder("ci-bnb", "SOL", OrderSide.Buy, 1m, fund.Time.GetUtcNow()), default);
        var found = await exchange.FindOrderAsync("SOL", "ci-bnb", default);

        FakeFill[] traded;
        lock (fund.State.Gate)
        {
            traded = [.. fund.State.Orders.Single().Fills];
        }

        Assert.Equal(2, placed.Fills.Count);
        Assert.Equal(
            traded.Select(t => new Fill("SOL", OrderSide.Buy, t.Quantity, t.Price, t.Commission, FeeCurrency.External, "BNB")),
            placed.Fills);
        Assert.All(placed.Fills, f => Assert.True(f.Fee > 0m));
        Assert.Equal(placed.Fills, found!.Fills);
        Assert.Equal(0m, placed.Fills.Sum(f => f.FeeValue));
        Assert.Equal(1m - traded.Sum(t => t.Commission), fund.State.Balance("BNB"));
        Assert.Equal(1m, fund.State.Balance("SOL")); // the full quantity, as the fund records it
        var logged = fund.Logs.AllText;
        Assert.Contains($"ci-bnb: commission {traded.Sum(t => t.Commission).ToString(CultureInfo.InvariantCulture)} BNB paid by the account outside the fund", logged, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeBinance.SecretKey, logged, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeBinance.ApiKey, logged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rebalance_on_an_account_paying_commissions_in_bnb_completes_with_the_fund_equal_to_the_account()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var start = fund.Start(); // the fund holds no BNB: the account's BNB is not the fund's
        PayCommissionsInBnb(fund);

        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.All(result.Record!.Legs, l => Assert.Equal(LegState.Completed, l.State));
        var fills = result.Record.Legs.SelectMany(l => l.Fills).ToList();
        Assert.Contains(fills, f => f.Side == OrderSide.Sell);
        Assert.Contains(fills, f => f.Side == OrderSide.Buy);
        Assert.All(fills, f => Assert.Equal((FeeCurrency.External, "BNB"), (f.FeeCurrency, f.FeeAsset)));
        Assert.False(result.Record.Holdings().Value.Quantities.ContainsKey("BNB"));
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record, paidOutside: ("BNB", 1m));
    }

    /// <summary>
    /// Before the upgrade, the client refused a BNB commission (answer and look-up alike), so a leg whose order had
    /// executed stayed Sent, waiting for ever. The upgraded operator resolves it by the look-up: adopted with its
    /// fills, never resent, and the rebalance completes.
    /// </summary>
    [Fact]
    public async Task A_leg_stuck_on_a_bnb_commission_before_the_upgrade_is_resolved_by_the_look_up()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var start = fund.Start();
        PayCommissionsInBnb(fund);
        var before = new RebalanceExecutor(
            RefusingThirdAssetCommissions(fund.Exchange()), fund.Journal, new ExchangeMetrics(fund.Registry), fund.Time, fund.Logs.For<RebalanceExecutor>());

        var stuck = await before.StartAsync(start, CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(ExecutionStatus.Waiting, stuck.Status);
            Assert.Contains("turn off BNB fee discounts", stuck.Reason, StringComparison.Ordinal);
            var leg = stuck.Record!.Legs.Single(l => l.Leg == 1);
            Assert.Equal((LegState.Sent, 1), (leg.State, leg.Attempts));
            Assert.All(stuck.Record.Legs, l => Assert.Empty(l.Fills));
            fund.Time.Advance(stuck.RetryAt!.Value - fund.Time.GetUtcNow() + TimeSpan.FromSeconds(10));
            stuck = await before.ResumeAsync(BinanceFund.Uid, CancellationToken.None);
        }

        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var first = result.Record!.Legs.Single(l => l.Leg == 1);
        Assert.Equal((LegState.Completed, 1), (first.State, first.Attempts));
        Assert.All(first.Fills, f => Assert.Equal((FeeCurrency.External, "BNB"), (f.FeeCurrency, f.FeeAsset)));
        Assert.Single(fund.State.OrderRequests, r => r.ClientOrderId == first.ClientOrderId);
        Assert.All(result.Record.Legs, l => Assert.Equal(LegState.Completed, l.State));
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record, paidOutside: ("BNB", 1m));
    }

    [Fact]
    public async Task Bnb_commissions_come_out_of_the_funds_own_bnb_when_it_holds_some()
    {
        // A fund holding BNB in an account of its own: the account pays its commissions from that BNB.
        await using var fund = await BinanceFund.CreateAsync();
        PayCommissionsInBnb(fund, tradeBnb: true);

        var start = fund.Start() with // BNB 1 is part of the fund's holdings now, and a tenth of its index
        {
            Targets = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["BTC"] = 0.4m, ["ETH"] = 0.3m, ["SOL"] = 0.2m, ["BNB"] = 0.1m },
            Prices = new Dictionary<string, decimal>(fund.Start().Prices) { ["BNB"] = 600m },
        };
        Assert.Equal(1m, start.Holdings.QuantityOf("BNB"));

        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var paid = result.Record!.Legs.SelectMany(l => l.Fills).Where(f => f.FeeCurrency == FeeCurrency.External).Sum(f => f.Fee);
        Assert.True(paid > 0m);
        // 1 BNB, plus what it bought, less every commission in BNB (the BNB buy's own is a Base fee in BNB).
        var fills = result.Record.Legs.SelectMany(l => l.Fills).ToList();
        var bought = fills.Where(f => f.Symbol == "BNB" && f.Side == OrderSide.Buy).Sum(f => f.Quantity - f.Fee);
        Assert.Equal(1m + bought - paid, result.Record.Holdings().Value.QuantityOf("BNB"));
        fund.AssertLedgerMatchesExchange(result.Record); // BNB included: the books equal the account
    }

    /// <summary>
    /// BNB left the index and ADA too. The exit sell of BNB was planned from the start holdings, but ADA's sell (first:
    /// legs go by symbol) paid its commission from that BNB; sent as planned, Binance refused the whole order (-2010)
    /// and the fund kept all its BNB. It is cut to the BNB the books hold, on the lot step, before it is sent.
    /// </summary>
    [Fact]
    public async Task An_exit_sell_of_bnb_is_cut_to_what_is_left_after_earlier_commissions_paid_in_bnb()
    {
        await using var fund = await BinanceFund.CreateAsync();
        PayCommissionsInBnb(fund, tradeBnb: true);
        lock (fund.State.Gate)
        {
            fund.State.Symbols["ADA"] = new FakeSymbol(0.1m, 0.1m, 9000000m, 5m);
            fund.State.Prices["ADA"] = 0.5m;
            fund.State.Balances["ADA"] = 2000m;
        }

        var start = fund.Start() with { Prices = new Dictionary<string, decimal>(fund.Start().Prices) { ["ADA"] = 0.5m, ["BNB"] = 600m } };
        Assert.Equal(1m, start.Holdings.QuantityOf("BNB"));

        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var legs = result.Record!.Legs;
        Assert.Equal(["ADA", "BNB"], legs.Where(l => l.Side == OrderSide.Sell).Take(2).Select(l => l.Symbol));
        var adaCommission = legs[0].Fills.Sum(f => f.Fee);
        Assert.All(legs[0].Fills, f => Assert.Equal((FeeCurrency.External, "BNB"), (f.FeeCurrency, f.FeeAsset)));
        var bnb = legs.Single(l => l.Symbol == "BNB");
        Assert.Equal(LegState.Completed, bnb.State);
        Assert.Equal(1, bnb.Attempts);
        Assert.Equal(DecimalMath.FloorToStep(1m - adaCommission, 0.001m), bnb.Quantity);
        Assert.Equal(bnb.Quantity, bnb.ExecutedQuantity);
        Assert.Contains($"instead of the 1 planned", fund.Logs.AllText, StringComparison.Ordinal);
        // What is left is below the lot step; the books and the account agree on it to the last unit.
        Assert.InRange(fund.State.Balance("BNB"), 0m, 0.001m);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// The Secret was edited, mid-rebalance, to keys of another account: the rebalance's orders cannot be looked up
    /// there, and a leg resent there would trade a second time. Nothing is sent until the keys reach its account again.
    /// </summary>
    [Fact]
    public async Task A_rebalance_sends_nothing_once_its_credentials_reach_another_account()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.TooManyRequests(429, 30));
        var first = await fund.Executor().StartAsync(fund.Start(), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Waiting, first.Status);
        var startedOn = first.Record!.Account;
        Assert.Matches("^uid-[0-9a-f]{12}$", startedOn); // a digest: the account number stays out of the status
        var requests = fund.State.OrderRequests.Count;

        fund.State.AccountUid = 11111111;
        fund.Time.Advance(TimeSpan.FromSeconds(30));
        var held = await fund.Executor().ResumeAsync(BinanceFund.Uid, CancellationToken.None);

        Assert.Equal((ExecutionStatus.Waiting, ExchangeErrorKind.AccountChanged), (held.Status, held.Error));
        Assert.Contains($"trades on account {startedOn}", held.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("11111111", held.Reason, StringComparison.Ordinal);
        Assert.Equal(requests, fund.State.OrderRequests.Count);
        Assert.Equal(first.Record.Revision, (await fund.Journal.LoadAsync(BinanceFund.Uid, CancellationToken.None))!.Revision); // nothing recorded

        fund.State.AccountUid = 354937868; // the keys of the fund's account are back (a key rotated within it would do as well)
        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);
        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.Equal(startedOn, result.Record!.Account);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    [Fact]
    public async Task A_rebalance_is_started_only_on_the_account_the_funds_books_are_on_unless_it_moved_on_purpose()
    {
        await using var fund = await BinanceFund.CreateAsync();

        var refused = await fund.Executor().StartAsync(fund.Start() with { BooksAccount = "uid-000000000000" }, CancellationToken.None);

        Assert.Equal((ExecutionStatus.NotStarted, ExchangeErrorKind.AccountChanged), (refused.Status, refused.Error));
        Assert.Contains("the fund's books are on account uid-000000000000", refused.Reason, StringComparison.Ordinal);
        Assert.Null(await fund.Journal.LoadAsync(BinanceFund.Uid, CancellationToken.None));
        Assert.Empty(fund.State.OrderRequests);

        // No books account (a first rebalance, or the spec now names other credentials): it starts, and its record
        // keeps where the caller says the fund trades, for the next rebalance to compare.
        var moved = await Driver.RunToEndAsync(fund.Executor(), fund.Start() with { Venue = "binance, Secret other-keys" }, fund.Time);
        Assert.Equal(ExecutionStatus.Done, moved.Status);
        Assert.Equal("binance, Secret other-keys", (await fund.Journal.LoadAsync(BinanceFund.Uid, CancellationToken.None))!.Venue);
    }

    /// <summary>
    /// BNB fee discount on; the account holds 2.5004 BNB, of which the fund's books 2.0004 (0.5 is outside the fund, as the
    /// README allows). BNB left the index: the exit sells 2.000 (lot 0.001) and Binance charges its commission, 0.0015
    /// BNB, in BNB. Booked as a fee in the asset sold, the fill needed 2.0015 of the fund's 2.0004: the ledger refused
    /// it and the rebalance stayed in Selling for ever. The fund pays a BNB commission from its own BNB only when that
    /// covers it; here it came from the BNB outside the fund, like every later commission.
    /// </summary>
    [Fact]
    public async Task A_bnb_exit_whose_bnb_commission_exceeds_what_the_books_keep_completes_with_the_commission_paid_outside()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var start = BnbExit(fund);
        Assert.False(start.Targets.ContainsKey("BNB"));

        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var record = result.Record!;
        Assert.All(record.Legs, l => Assert.Equal(LegState.Completed, l.State));
        var bnb = record.Legs.Single(l => l.Symbol == "BNB");
        Assert.Equal((1, OrderSide.Sell, 2m, 2m), (bnb.Leg, bnb.Side, bnb.Quantity, bnb.ExecutedQuantity));
        Assert.InRange(bnb.Fills.Sum(f => f.Fee), 0.0014m, 0.0015m); // 0.075 % of 1,200 in BNB, more than the 0.0004 the sale leaves
        Assert.All(bnb.Fills, f => Assert.Equal((FeeCurrency.External, "BNB", 0m), (f.FeeCurrency, f.FeeAsset, f.FeeValue)));

        // The books never go negative: the exit leaves the fund 0.0004 BNB (below the lot step), too little for its
        // commission, which the BNB outside the fund paid; a later commission that small is paid from it.
        Assert.Equal(0.0004m, FundLedger.ApplyOrder(start.Holdings, bnb.Fills).Value.QuantityOf("BNB"));
        var books = record.Holdings();
        Assert.True(books.IsSuccess, books.ToString());
        Assert.InRange(books.Value.QuantityOf("BNB"), 0m, 0.0004m);
        var fills = record.Legs.SelectMany(l => l.Fills).ToList();
        Assert.All(fills, f => Assert.Equal((FeeCurrency.External, "BNB"), (f.FeeCurrency, f.FeeAsset)));
        Assert.Equal(0m, fills.Sum(f => f.FeeValue)); // commissions paid in BNB are not in the fund's reported fees

        // The account holds the books' BNB and what is left outside the fund: 0.5 less the commissions paid from it.
        var paidByFund = 0.0004m - books.Value.QuantityOf("BNB");
        Assert.Equal(books.Value.QuantityOf("BNB") + 0.5m - (fills.Sum(f => f.Fee) - paidByFund), fund.State.Balance("BNB"));
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(record, paidOutside: ("BNB", 2.5004m - 2m)); // every other asset: books = account
    }

    /// <summary>
    /// The same exit, recorded as the client did before (the BNB sell's commission as a Base fee): the recorded fills
    /// do not fit the books. PlanBuys threw at every call and the fund stayed in Selling; now no buy is sent, the
    /// rebalance ends with its buys skipped and the reason, and its record's books fail, which the reconciler reports
    /// as LedgerMismatch (Stalled) for a person.
    /// </summary>
    [Fact]
    public async Task Recorded_fills_that_do_not_fit_the_books_end_the_rebalance_without_buys_instead_of_throwing()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var start = BnbExit(fund);
        var before = new RebalanceExecutor(
            SellCommissionInTheAssetAsBase(fund.Exchange()), fund.Journal, new ExchangeMetrics(fund.Registry), fund.Time, fund.Logs.For<RebalanceExecutor>());

        var result = await Driver.RunToEndAsync(before, start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        var record = result.Record!;
        Assert.Equal(Rules.InsufficientQuantity, record.Holdings().Error?.Rule);
        var buys = record.Legs.Where(l => l.Side == OrderSide.Buy).ToList();
        Assert.NotEmpty(buys);
        Assert.All(buys, l => Assert.Equal(LegState.Skipped, l.State));
        Assert.All(buys, l => Assert.StartsWith(RebalanceSteps.LedgerMismatch, l.Reason, StringComparison.Ordinal));
        Assert.All(buys, l => Assert.DoesNotContain("not sent", l.Reason, StringComparison.Ordinal)); // status adds "not sent: " to a skipped leg's reason
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Side == "BUY");
        Assert.Contains("the recorded fills do not fit the fund's holdings", fund.Logs.AllText, StringComparison.Ordinal);
        fund.AssertNoDoubleExecution();
    }

    /// <summary>
    /// Cash buffer 10 %. Every BTC sell is refused (-2010 "Market is closed."), in both sell rounds. The buys were
    /// planned on the cash plus the BTC proceeds, less the buffer; fitted to "the cash there is" they then spent the
    /// buffer too. Planned again without the sells that will not happen, they spend only the cash above the buffer.
    /// </summary>
    [Fact]
    public async Task Buys_after_a_sell_that_failed_in_both_rounds_keep_the_cash_buffer()
    {
        await using var fund = await BinanceFund.CreateAsync();
        const string closed = "Market is closed.";
        fund.Fake.Inject(PlaceOrder, Fault.Reject(-2010, closed)); // leg 1: BTC
        fund.Fake.Inject(PlaceOrder, Fault.None());                // leg 2: DOGE (its exit fills)
        fund.Fake.Inject(PlaceOrder, Fault.Reject(-2010, closed)); // the second round: BTC again
        var start = fund.Start() with { Options = new PlanOptions(FeeRate: 0.001m, CashBuffer: 0.1m) };

        var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);

        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.Equal(0, fund.Fake.PendingFaults);
        var record = result.Record!;
        Assert.Equal(2, record.SellRounds);
        var btc = record.Legs.Where(l => l.Symbol == "BTC").ToList();
        Assert.Equal(2, btc.Count);
        Assert.All(btc, l => Assert.Equal((OrderSide.Sell, LegState.Failed), (l.Side, l.State)));
        Assert.All(btc, l => Assert.Contains(closed, l.Reason, StringComparison.Ordinal));

        // Cash before the buys, and the fund's NAV, at the reference prices.
        var prices = record.Inputs.Prices;
        decimal Nav(Holdings h) => h.Cash + h.Quantities.Sum(q => q.Value * prices[q.Key]);
        var afterSells = FundLedger.ApplyAll(record.StartHoldings, record.Legs.Where(l => l.Side == OrderSide.Sell).SelectMany(l => l.Fills)).Value;
        var books = record.Holdings().Value;
        var buffer = 0.1m * Nav(books);
        var buys = record.Legs.Where(l => l.Side == OrderSide.Buy).ToList();
        Assert.Equal(["ETH", "SOL"], buys.Select(l => l.Symbol));
        Assert.All(buys, l => Assert.Equal(LegState.Completed, l.State));
        var atReference = buys.SelectMany(l => l.Fills).Sum(f => f.Quantity * prices[f.Symbol]);
        var aboveReference = buys.SelectMany(l => l.Fills).Sum(f => f.Notional) - atReference; // the fake's price impact
        var lotStep = buys.Max(l => record.Inputs.SymbolRules[l.Symbol].StepSize * prices[l.Symbol]);

        // The buffer is kept (to a lot step, at the reference prices) ...
        Assert.True(books.Cash + aboveReference >= buffer - lotStep, $"cash {books.Cash} (+{aboveReference} paid above reference) against a buffer of {buffer}");
        // ... and the cash above it is spent.
        Assert.True(afterSells.Cash - atReference <= buffer + (2 * lotStep), $"spent {atReference} of {afterSells.Cash}, buffer {buffer}");
        Assert.True(atReference > 1000m, $"spent {atReference}");
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(record);
    }

    /// <summary>The account pays commissions in BNB and holds 1 BNB; with <paramref name="tradeBnb"/> BNBUSDT trades at 600.</summary>
    private static void PayCommissionsInBnb(BinanceFund fund, bool tradeBnb = false)
    {
        lock (fund.State.Gate)
        {
            fund.State.CommissionAsset = "BNB";
            fund.State.Balances["BNB"] = 1m;
            if (tradeBnb)
            {
                fund.State.Symbols["BNB"] = new FakeSymbol(0.001m, 0.001m, 90000m, 5m);
                fund.State.Prices["BNB"] = 600m;
            }
        }
    }

    [Fact]
    public async Task A_market_that_halts_after_being_cached_is_refused_once_its_rules_are_read_again()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var exchange = fund.Exchange();
        await exchange.GetSymbolRulesAsync(["BTC", "SOL"], default);
        lock (fund.State.Gate)
        {
            fund.State.Symbols["BTC"] = fund.State.Symbols["BTC"] with { Status = "BREAK" };
        }

        fund.Time.Advance(TimeSpan.FromHours(2));
        var error = await Assert.ThrowsAsync<ExchangeException>(() => exchange.GetSymbolRulesAsync(["BTC", "SOL"], default));
        Assert.Contains("no BTCUSDT market open for trading", error.Message, StringComparison.Ordinal);

        // Evicted, not kept: asking again (within the TTL of the fresh SOL rules) still refuses BTC.
        Assert.Equal(0.01m, (await exchange.GetSymbolRulesAsync(["SOL"], default))["SOL"].StepSize);
        await Assert.ThrowsAsync<ExchangeException>(() => exchange.GetSymbolRulesAsync(["BTC"], default));

        lock (fund.State.Gate)
        {
            fund.State.Symbols["BTC"] = fund.State.Symbols["BTC"] with { Status = "TRADING" };
        }

        Assert.Equal(0.00001m, (await exchange.GetSymbolRulesAsync(["BTC"], default))["BTC"].StepSize);
    }

    [Fact]
    public async Task A_waf_403_on_an_order_leaves_the_leg_pending_to_retry_later()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.Waf());
        var executor = fund.Executor();
        var waiting = await executor.StartAsync(fund.Start(), CancellationToken.None);

        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        Assert.Equal(LegState.Pending, waiting.Record!.Legs.Single(l => l.Leg == 1).State);
        var result = await Driver.RunToEndAsync(executor, fund.Start(), fund.Time);
        Assert.All(result.Record!.Legs, l => Assert.Equal(LegState.Completed, l.State));
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// The look-up finds an order under the leg's client order id that is not the one sent (other side, other
    /// quantity, e.g. placed by hand): it is not adopted and the leg is not resent; the call waits with the reason.
    /// </summary>
    [Fact]
    public async Task An_order_found_under_our_id_that_does_not_match_the_leg_is_not_adopted()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(PlaceOrder, Fault.ServerErrorBefore());
        var executor = fund.Executor();
        var waiting = await executor.StartAsync(fund.Start(), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        var leg = waiting.Record!.Legs.Single(l => l.Leg == 1);
        lock (fund.State.Gate)
        {
            var pair = leg.Symbol + fund.State.QuoteAsset;
            var price = fund.State.Prices[leg.Symbol];
            var quantity = leg.Quantity * 2m;
            fund.State.Orders.Add(new FakeOrder(
                999, pair, leg.Symbol, leg.Side == OrderSide.Sell ? "BUY" : "SELL", leg.ClientOrderId, quantity, quantity, quantity * price, "FILLED",
                [new FakeFill(price, quantity, 0m, fund.State.QuoteAsset, 1)], 0));
        }

        for (var i = 0; i < 3; i++)
        {
            fund.Time.Advance(TimeSpan.FromSeconds(10));
            var result = await executor.ResumeAsync(BinanceFund.Uid, CancellationToken.None);
            Assert.Equal(ExecutionStatus.Waiting, result.Status);
            Assert.Contains("does not match the leg", result.Reason, StringComparison.Ordinal);
            var now = result.Record!.Legs.Single(l => l.Leg == 1);
            Assert.Equal((LegState.Sent, 1), (now.State, now.Attempts));
            Assert.Empty(now.Fills);
            Assert.DoesNotContain(fund.State.OrderRequests, r => r.ClientOrderId == leg.ClientOrderId);
        }
    }

    [Fact]
    public async Task An_unreadable_look_up_answer_is_an_invalid_response_and_the_executor_waits()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(LookUp, Fault.Unreadable());
        var error = await Assert.ThrowsAsync<ExchangeException>(() => fund.Exchange().FindOrderAsync("SOL", "ci-x", default));
        Assert.Equal(ExchangeErrorKind.InvalidResponse, error.Kind);

        fund.Fake.Inject(PlaceOrder, Fault.TimeoutAfter());
        fund.Fake.Inject(LookUp, Fault.Unreadable());
        var executor = fund.Executor();
        var waiting = await executor.StartAsync(fund.Start(), CancellationToken.None);
        Assert.Equal(ExecutionStatus.Waiting, waiting.Status);
        Assert.Contains("look-up failed", waiting.Reason, StringComparison.Ordinal);

        var result = await Driver.RunToEndAsync(executor, fund.Start(), fund.Time);
        Assert.Equal(1, result.Record!.Legs.Single(l => l.Leg == 1).Attempts);
        fund.AssertNoDoubleExecution();
        fund.AssertLedgerMatchesExchange(result.Record);
    }

    /// <summary>
    /// The BNB exit of the two tests above: commissions in BNB, the account holding 2.5004 BNB of which the books 2.0004,
    /// BNB at 600 and out of the index.
    /// </summary>
    private static RebalanceStart BnbExit(BinanceFund fund)
    {
        PayCommissionsInBnb(fund, tradeBnb: true);
        lock (fund.State.Gate)
        {
            fund.State.Balances["BNB"] = 2.5004m;
        }

        var start = fund.Start() with { Prices = new Dictionary<string, decimal>(fund.Start().Prices) { ["BNB"] = 600m } };
        return start with { Holdings = start.Holdings.WithQuantity("BNB", 2.0004m) };
    }

    /// <summary>The Binance client as it was before this fix: a sell's commission in the asset sold was a Base fee.</summary>
    private static ReportRewritingExchange SellCommissionInTheAssetAsBase(IExchange inner) => new(inner, report => report with
    {
        Fills = [.. report.Fills.Select(f => f.FeeCurrency == FeeCurrency.External && f.FeeAsset == f.Symbol ? f with { FeeCurrency = FeeCurrency.Base, FeeAsset = null } : f)],
    });

    /// <summary>The Binance client as it was before the upgrade: an answer with a commission in BNB was refused as unreadable.</summary>
    private static ReportRewritingExchange RefusingThirdAssetCommissions(IExchange inner) => new(inner, report =>
        report.Fills.FirstOrDefault(f => f.FeeCurrency == FeeCurrency.External) is { } fill
            ? throw new ExchangeException(
                ExchangeErrorKind.InvalidResponse,
                $"Binance order {report.ClientOrderId}: commission paid in {fill.FeeAsset}: turn off BNB fee discounts on the fund's account; the fill cannot be recorded in the fund's ledger")
            : report);

    /// <summary>An exchange whose order reports (placed or found) pass through <paramref name="rewrite"/>: a client as it was before a fix.</summary>
    private sealed class ReportRewritingExchange(IExchange inner, Func<OrderReport, OrderReport> rewrite) : ForwardingExchange(inner)
    {
        public override async Task<OrderReport> PlaceMarketOrderAsync(MarketOrder order, CancellationToken cancellationToken) =>
            rewrite(await Inner.PlaceMarketOrderAsync(order, cancellationToken));

        public override async Task<OrderReport?> FindOrderAsync(string asset, string clientOrderId, CancellationToken cancellationToken) =>
            await Inner.FindOrderAsync(asset, clientOrderId, cancellationToken) is { } found ? rewrite(found) : null;
    }
}
