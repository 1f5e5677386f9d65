using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// A fund trading real-money style: the operator (on a fake clock) against the fake Binance, with the credentials in a
/// Secret. Faults are injected on the fake: an outage in the middle of a rebalance, and the operator stopped while an
/// order is in flight. Every test ends by checking that no order executed twice and that the fund's ledger in its
/// status equals the account on the exchange; the keys never show up in status, Events or logs.
/// </summary>
public sealed class BinanceEndToEndTests : IAsyncLifetime, IDisposable
{
    private const string Fund = "sixty-forty";
    private const string OrderEndpoint = BinanceOperator.OrderEndpoint;
    private const string LookupEndpoint = "GET /api/v3/order";
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly string Manifest = BinanceOperator.Manifest();

    private readonly FakeTimeProvider clock = new(Start);
    private readonly string folder = Directory.CreateTempSubdirectory("operator-binance-").FullName;
    private readonly RecordingLoggerProvider logs = new();
    private FakeBinance binance = null!;
    private OperatorUnderTest op = null!;
    private Kubectl kubectl = null!;

    public async Task InitializeAsync()
    {
        (binance, op) = await BinanceOperator.StartAsync(
            clock,
            folder,
            services => services
                .AddSingleton<ILoggerProvider>(logs)
                .AddLogging(b => b.AddFilter<RecordingLoggerProvider>(null, LogLevel.Trace))); // everything, for the secret scan
        kubectl = new Kubectl(op.Cluster);
    }

    public void Dispose()
    {
        kubectl.Dispose();
        logs.Dispose();
    }

    public async Task DisposeAsync()
    {
        await op.DisposeAsync();
        await binance.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task A_fund_waits_for_its_credentials_then_is_funded_within_the_exchange_rules()
    {
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "CredentialsUnavailable");
        Assert.Equal("spec.exchange.credentialsSecretRef: Secret default/binance-keys does not exist", (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"]);
        Assert.Empty(binance.State.OrderRequests);

        await CreateSecretAsync();
        var funded = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));

        Assert.Null(FakeClockPump.Condition(funded, "Stalled"));
        Assert.Equal(["Completed", "Completed"], funded["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        // Orders on lot steps, and buys that fit the cash: 1 % headroom (a market buy fills at the ask) stays in cash.
        var orders = binance.State.OrderRequests;
        Assert.Equal([("BTC", "BUY"), ("ETH", "BUY")], orders.Select(o => (o.Symbol, o.Side)).Order());
        Assert.All(orders, o => Assert.Equal(0m, o.Quantity % binance.State.Symbols[o.Symbol].StepSize));
        var cash = decimal.Parse((string)funded["cash"]!, CultureInfo.InvariantCulture);
        Assert.InRange(cash, 90m, 101m); // about 1 % of the 9,900 bought

        AssertLedgerEqualsAccount(funded);
        await AssertNoSecretAnywhereAsync();
    }

    /// <summary>
    /// The account pays its commissions in BNB (fee discount on): the fund is funded as usual, its BTC, ETH and cash
    /// equal the account's, each trade shows its commission with feeAsset BNB, and the fund's fees leave it out.
    /// </summary>
    [Fact]
    public async Task A_fund_on_an_account_paying_commissions_in_bnb_is_funded_and_shows_them_per_trade_not_in_its_fees()
    {
        lock (binance.State.Gate)
        {
            binance.State.CommissionAsset = "BNB";
            binance.State.Balances["BNB"] = 1m;
        }

        await CreateSecretAsync();
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        var funded = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));

        var trades = funded["trades"]!.AsArray();
        Assert.Equal([("Completed", "BNB"), ("Completed", "BNB")], trades.Select(t => ((string)t!["status"]!, (string)t["feeAsset"]!)));
        var paid = trades.Sum(t => decimal.Parse((string)t!["fee"]!, CultureInfo.InvariantCulture));
        Assert.True(paid > 0m);
        Assert.Equal(1m - paid, binance.State.Balance("BNB"));
        Assert.Equal("0", (string?)funded["rebalances"]![0]!["fees"]);
        AssertLedgerEqualsAccount(funded);
        Assert.Contains("BNB paid by the account outside the fund", logs.AllText, StringComparison.Ordinal);
        await AssertNoSecretAnywhereAsync();
    }

    [Fact]
    public async Task A_fund_priced_from_another_market_than_it_trades_is_stalled_before_anything_reaches_Binance()
    {
        await CreateSecretAsync();
        const string Eth = "{symbol: ETH, coinGeckoId: ethereum, weight: 40%}";
        var otherMarket = Manifest.Replace(Eth, "{symbol: ETH, coinGeckoId: ethereum, binancePair: ETHBTC, weight: 40%}", StringComparison.Ordinal);
        Assert.NotEqual(Manifest, otherMarket);
        const string Message = "spec.constituents[1].binancePair: a fund trading on Binance trades ETHUSDT; binancePair ETHBTC would price another market: "
            + "omit binancePair: the fund is then priced from the market it trades";

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", otherMarket));
        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "InvalidSpec");

        Assert.Equal(("InvalidSpec", "False", Message), (FakeClockPump.ConditionReason(stalled), (string?)FakeClockPump.Condition(stalled, "Ready")!["status"], (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"]));
        Assert.Null(stalled["trades"]);
        Assert.Empty(binance.RequestLog); // not even exchangeInfo: nothing was asked of the account

        // Naming the pair it trades, the same fund is funded: its ETH is bought on ETHUSDT.
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest.Replace(Eth, "{symbol: ETH, coinGeckoId: ethereum, binancePair: ETHUSDT, weight: 40%}", StringComparison.Ordinal)));
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));

        var warning = Assert.Single(JsonNode.Parse(await kubectl.OkAsync("get", "events", "--field-selector", "reason=InvalidSpec", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Equal(("Warning", Message), ((string?)warning["type"], (string?)warning["message"]));
        Assert.Equal(["Completed", "Completed"], done["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        Assert.Equal(["BTCUSDT", "ETHUSDT"], binance.RequestLog.Where(r => r.StartsWith(OrderEndpoint + "?", StringComparison.Ordinal))
            .Select(r => r.Split('&').Single(p => p.Contains("symbol=", StringComparison.Ordinal)).Split("symbol=")[1]).Order(StringComparer.Ordinal));
        AssertLedgerEqualsAccount(done);
    }

    [Fact]
    public async Task An_exchange_outage_mid_rebalance_is_reported_and_the_rebalance_completes_once_without_double_orders()
    {
        await CreateSecretAsync();
        // The first buy executes but its answer is lost (502); then the look-ups fail: 1 + 3 retries, twice over.
        binance.Inject(OrderEndpoint, Fault.ServerErrorAfter());
        for (var i = 0; i < 8; i++)
        {
            binance.Inject(LookupEndpoint, Fault.ServerErrorBefore());
        }

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        var waiting = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Reconciling") == "WaitingForExchange");
        Assert.Contains("waiting for the exchange: look-up failed", (string?)FakeClockPump.Condition(waiting, "Reconciling")!["message"], StringComparison.Ordinal);
        Assert.Contains("Pending", waiting["trades"]!.AsArray().Select(t => (string)t!["status"]!));

        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        Assert.Null(FakeClockPump.Condition(done, "Reconciling"));
        Assert.Equal(["Completed", "Completed"], done["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        Assert.Contains("RebalanceWaiting", await kubectl.OkAsync("describe", "ifund", Fund), StringComparison.Ordinal);
        Assert.Contains("cryptoindex_exchange_order_lookups_total{exchange=\"binance\",result=\"error\"}", await op.ScrapeAsync(), StringComparison.Ordinal);
        AssertLedgerEqualsAccount(done);
        await AssertNoSecretAnywhereAsync();
    }

    [Fact]
    public async Task An_order_refused_for_its_timestamp_is_sent_again_at_once_and_the_fund_is_funded()
    {
        // -1021 asks for an immediate retry (a zero wait): that must still requeue the fund, never end its reconciles.
        await CreateSecretAsync();
        binance.Inject(OrderEndpoint, Fault.Reject(-1021, "Timestamp for this request was 1000ms ahead of the server's time."));
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));

        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromMilliseconds(200));
        Assert.Equal(["Completed", "Completed"], done["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        Assert.Equal(3, binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal))); // refused, resent, the other leg
        AssertLedgerEqualsAccount(done);
    }

    [Theory]
    [InlineData("timestamp")]
    [InlineData("retry-after-0")]
    public async Task Orders_the_exchange_wants_resent_at_once_again_and_again_are_resent_with_backoff_not_every_tenth_of_a_second(string refusal)
    {
        // A clock incident on the exchange's side refuses every order as -1021 for minutes (or a proxy answers 429 with
        // Retry-After: 0). Each resend writes the leg to status twice (sent, then pending again): at once every time, that
        // is ten orders and twenty status writes a second.
        await CreateSecretAsync();
        for (var i = 0; i < 1_000; i++)
        {
            binance.Inject(OrderEndpoint, refusal == "timestamp"
                ? Fault.Reject(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
                : Fault.TooManyRequests(429, seconds: 0));
        }

        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        var step = TimeSpan.FromMilliseconds(100);
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Reconciling") == "WaitingForExchange", advance: step);
        var until = clock.GetUtcNow().AddSeconds(10);
        await PumpUntilAsync(_ => false, advance: step, alsoDone: () => clock.GetUtcNow() >= until);
        int Posts() => binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal));
        Assert.InRange(Posts(), 2, 15); // resent at once, then less and less often: 5 ms, 10 ms, 20 ms … (per fund)

        // The exchange takes orders again: the rebalance completes, each order executed once.
        binance.ClearFaults();
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));
        Assert.Equal(["Completed", "Completed"], done["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        AssertLedgerEqualsAccount(done);
    }

    [Fact]
    public async Task Refused_keys_stall_the_fund_without_resending_until_the_next_refresh()
    {
        await CreateSecretAsync();
        binance.Inject(OrderEndpoint, Fault.Reject(-2015, "Invalid API-key, IP, or permissions for action.", status: 401));
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));

        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "CredentialsRefused");
        Assert.StartsWith("the exchange refused the fund's API key: ", (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"], StringComparison.Ordinal);
        Assert.Equal("WaitingForExchange", FakeClockPump.ConditionReason(stalled, "Reconciling"));
        int Posts() => binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal));
        Assert.Equal(1, Posts());

        // Not every few seconds: the next attempt waits for the fund's refresh (60 s), when the keys may be fixed.
        await PumpUntilAsync(_ => false, advance: TimeSpan.FromSeconds(1), alsoDone: () => clock.GetUtcNow() >= Start.AddSeconds(40));
        Assert.Equal(1, Posts());
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(2));
        Assert.Null(FakeClockPump.Condition(done, "Stalled"));
        AssertLedgerEqualsAccount(done);
        await AssertNoSecretAnywhereAsync();
    }

    [Fact]
    public async Task An_open_rebalance_never_moves_to_another_account_when_spec_exchange_changes()
    {
        await CreateSecretAsync();
        binance.Inject(OrderEndpoint, Fault.TooManyRequests(429, seconds: 30)); // the rebalance stays open for 30 s
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Reconciling") == "WaitingForExchange");

        // Someone points the fund at the testnet mid-rebalance: the open rebalance must not look up or resend there.
        await kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", """{"spec":{"exchange":{"testnet":true}}}""");
        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "ExchangeChanged");
        Assert.StartsWith(
            "spec.exchange changed while rebalance 1 was open: it trades on binance, Secret binance-keys, the spec now says binance testnet, Secret binance-keys",
            (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"],
            StringComparison.Ordinal);
        var posts = binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal));
        await PumpUntilAsync(_ => false, alsoDone: () => clock.GetUtcNow() >= Start.AddSeconds(50));
        Assert.Equal(posts, binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal)));

        // Put back, the rebalance finishes where it started.
        await kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", """{"spec":{"exchange":{"testnet":false}}}""");
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);
        Assert.Equal("binance, Secret binance-keys", (string?)done["rebalances"]![0]!["exchange"]);
        AssertLedgerEqualsAccount(done);
    }

    [Fact]
    public async Task An_open_rebalance_sends_nothing_once_its_secret_holds_keys_of_another_account()
    {
        await CreateSecretAsync();
        binance.Inject(OrderEndpoint, Fault.TooManyRequests(429, seconds: 30)); // the rebalance stays open for 30 s
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Reconciling") == "WaitingForExchange");
        int Posts() => binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal));
        var posts = Posts();

        // Same Secret, same spec: but the keys are another account's now. Its orders are not there to be found.
        await ReplaceSecretAsync(FakeBinance.OtherApiKey, FakeBinance.OtherSecretKey);
        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "ExchangeChanged");
        Assert.Contains("but rebalance 1 trades on account uid-", (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"], StringComparison.Ordinal);
        await PumpUntilAsync(_ => false, alsoDone: () => clock.GetUtcNow() >= Start.AddSeconds(150));
        Assert.Equal(posts, Posts());
        var events = await kubectl.OkAsync("get", "events", "--field-selector", "involvedObject.name=" + Fund, "-o", "json");
        Assert.Contains("ExchangeChanged", events, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeBinance.OtherAccountUid.ToString(CultureInfo.InvariantCulture), events, StringComparison.Ordinal);

        // The fund's keys are back (a rotated key of its own account would do too): the rebalance finishes there.
        await ReplaceSecretAsync(FakeBinance.ApiKey, FakeBinance.SecretKey);
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null, advance: TimeSpan.FromSeconds(5));
        Assert.Null(FakeClockPump.Condition(done, "Stalled"));
        AssertLedgerEqualsAccount(done);
    }

    [Fact]
    public async Task A_new_rebalance_is_not_started_on_another_account_than_the_funds_books()
    {
        await CreateSecretAsync();
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest("\n  rebalance: {minInterval: 0s}")));
        var funded = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));
        int Posts() => binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal));
        var posts = Posts();

        // Between rebalances the Secret gets another account's keys; then BTC moves enough to rebalance.
        await ReplaceSecretAsync(FakeBinance.OtherApiKey, FakeBinance.OtherSecretKey);
        await File.WriteAllTextAsync(Path.Combine(folder, "prices.json"), SixtyFortyFund.Prices(clock.GetUtcNow(), btc: 70_000m));
        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "ExchangeChanged", advance: TimeSpan.FromSeconds(5));
        Assert.Contains("but the fund's books are on account uid-", (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"], StringComparison.Ordinal);
        Assert.Equal(posts, Posts());
        Assert.Equal((long?)funded["rebalanceSequence"], (long?)stalled["rebalanceSequence"]); // nothing recorded

        // Looked at again at every refresh (Secrets are not watched), but told once: one Warning, not one a minute.
        int SecretReads() => op.Cluster.Requests.Count(verb: "get", resource: "secrets", name: "binance-keys");
        var reads = SecretReads();
        var until = clock.GetUtcNow().AddMinutes(4);
        await PumpUntilAsync(_ => false, advance: TimeSpan.FromSeconds(5), alsoDone: () => clock.GetUtcNow() >= until);
        Assert.True(SecretReads() >= reads + 3, $"the Secret was read {SecretReads() - reads} times in 4 refreshes");
        Assert.Equal(posts, Posts());
        var warning = Assert.Single(JsonNode.Parse(await kubectl.OkAsync("get", "events", "--field-selector", "reason=ExchangeChanged", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Equal(1, (int?)warning["count"] ?? 1);

        // The fund's keys are back: the rebalance runs on its account.
        await ReplaceSecretAsync(FakeBinance.ApiKey, FakeBinance.SecretKey);
        var done = await PumpUntilAsync(
            s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && (long?)s?["rebalanceSequence"] == 2 && s?["rebalanceInProgress"] is null,
            advance: TimeSpan.FromSeconds(5));
        Assert.Null(FakeClockPump.Condition(done, "Stalled"));
        Assert.True(Posts() > posts);
    }

    [Fact]
    public async Task Keys_refused_before_a_rebalance_is_recorded_stall_the_fund_until_they_are_fixed()
    {
        // The account is read before the plan is recorded: a wrong secret key is refused there, and nothing is recorded.
        await kubectl.OkAsync("create", "secret", "generic", "binance-keys", "--from-literal=apiKey=" + FakeBinance.ApiKey, "--from-literal=secretKey=wrong");
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));

        var stalled = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Stalled") == "CredentialsRefused");
        Assert.StartsWith("the exchange refused the fund's API key: ", (string?)FakeClockPump.Condition(stalled, "Stalled")!["message"], StringComparison.Ordinal);
        Assert.Null(stalled["execution"]);
        Assert.Null(stalled["rebalanceInProgress"]);
        Assert.DoesNotContain(binance.RequestLog, r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal));

        await ReplaceSecretAsync(FakeBinance.ApiKey, FakeBinance.SecretKey);
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));
        Assert.Null(FakeClockPump.Condition(done, "Stalled"));
        AssertLedgerEqualsAccount(done);
    }

    private Task ReplaceSecretAsync(string apiKey, string secretKey) => BinanceOperator.ReplaceSecretAsync(kubectl, apiKey, secretKey);

    [Fact]
    public async Task An_operator_stopped_with_an_order_in_flight_resumes_after_restart_and_adopts_it_instead_of_resending()
    {
        await CreateSecretAsync();
        var held = Fault.Hold();
        binance.Inject(OrderEndpoint, held);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        await PumpUntilAsync(_ => false, advance: TimeSpan.FromSeconds(1), alsoDone: () => held.Arrived.Task.IsCompleted);

        // The operator is stopped while the exchange holds its order; its 2 s grace period runs out, the reconcile is
        // abandoned, and then the exchange executes the order (still inside its receive window): nobody saw the fill.
        await op.RestartAsync(clock, whileStopped: async () =>
        {
            held.Release.SetResult();
            await held.Processed.Task;
        });

        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(1));
        Assert.Equal(["Completed", "Completed"], done["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        var first = binance.State.OrderRequests[0].ClientOrderId;
        Assert.Contains(binance.RequestLog, r => r.StartsWith(LookupEndpoint, StringComparison.Ordinal) && r.Contains(first, StringComparison.Ordinal));
        Assert.Equal(("BTC", "FILLED"), (binance.State.OrderRequests[0].Symbol, binance.State.OrderRequests[0].Outcome));
        Assert.Single(binance.State.OrderRequests, r => r.ClientOrderId == first); // adopted, never resent
        AssertLedgerEqualsAccount(done);
    }

    [Fact]
    public async Task A_fund_whose_exchange_hangs_does_not_hold_up_the_other_funds()
    {
        await CreateSecretAsync();
        var held = Fault.Hold();
        binance.Inject(OrderEndpoint, held);
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", Manifest));
        await PumpUntilAsync(_ => false, alsoDone: () => held.Arrived.Task.IsCompleted);

        // While the Binance fund's order hangs on the exchange, a paper fund is applied, funded and Ready.
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("paper.yaml", SixtyFortyFund.Manifest(prices: "{provider: file, maxAge: 6h}").Replace("name: sixty-forty", "name: paper", StringComparison.Ordinal)));
        var paper = await FakeClockPump.UntilAsync(kubectl, clock, "paper", s => FakeClockPump.ConditionReason(s) == "WithinThresholds", TimeSpan.FromMilliseconds(100));
        Assert.Equal(["Completed", "Completed"], paper["trades"]!.AsArray().Select(t => (string)t!["status"]!));
        Assert.False(held.Processed.Task.IsCompleted);

        held.Release.SetResult();
        var done = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds");
        AssertLedgerEqualsAccount(done);
    }

    private Task<JsonNode> PumpUntilAsync(Func<JsonNode?, bool> done, TimeSpan? advance = null, Func<bool>? alsoDone = null) =>
        FakeClockPump.UntilAsync(kubectl, clock, Fund, done, advance ?? TimeSpan.FromSeconds(1), alsoDone);

    private Task<string> CreateSecretAsync() => BinanceOperator.CreateSecretAsync(kubectl);

    private static decimal Quantity(JsonNode status, string symbol) => decimal.Parse(
        (string)status["allocations"]!.AsArray().Single(a => (string?)a!["symbol"] == symbol)!["quantity"]!, CultureInfo.InvariantCulture);

    /// <summary>No client order id executed twice, and the fund's quantities and cash are the account's balances.</summary>
    private void AssertLedgerEqualsAccount(JsonNode status)
    {
        Assert.All(binance.State.ExecutionsPerClientOrderId(), e => Assert.Equal(1, e.Value));
        Assert.Equal(2, binance.State.ExecutionsPerClientOrderId().Count);
        Assert.Equal(binance.State.Balance("BTC"), Quantity(status, "BTC"));
        Assert.Equal(binance.State.Balance("ETH"), Quantity(status, "ETH"));
        Assert.Equal(binance.State.Balance("USDT"), decimal.Parse((string)status["cash"]!, CultureInfo.InvariantCulture));
    }

    private async Task AssertNoSecretAnywhereAsync()
    {
        var places = new Dictionary<string, string>
        {
            ["status"] = await kubectl.OkAsync("get", "ifund", Fund, "-o", "yaml"),
            ["events"] = await kubectl.OkAsync("get", "events", "-o", "yaml"),
            ["describe"] = await kubectl.OkAsync("describe", "ifund", Fund),
            ["logs"] = logs.AllText,
        };
        Assert.True(logs.Lines.Count > 10, "the operator's logs were not recorded");
        foreach (var (place, text) in places)
        {
            Assert.DoesNotContain(FakeBinance.ApiKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeBinance.SecretKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeBinance.SecretKey[..16], text, StringComparison.Ordinal);
            Assert.DoesNotContain("signature=", text, StringComparison.Ordinal); // a signed query string
        }
    }
}
