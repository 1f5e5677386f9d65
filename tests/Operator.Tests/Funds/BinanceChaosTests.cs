using System.Globalization;
using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Tests.Testing;
using k8s;
using Xunit.Abstractions;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// The whole operator on a fake clock, trading three rebalances on the fake Binance (funding, then BTC up, then BTC
/// back down) while a seeded random schedule injects faults between clock steps: failed and conflicting status writes,
/// status writes applied whose answer was lost, order answers lost after the order executed, 5xx, -1021, 429, partial
/// fills, failed look-ups and account reads, and the operator stopped and started again mid-rebalance. Once the faults
/// stop, the fund must end Ready with every order the exchange took recorded exactly once: no client order id twice in
/// the exchange's book, each order's fills in the status as the exchange made them, the books equal to the capital
/// plus the exchange's fills less its commissions, and no order of a rebalance sent after a later one had started.
/// The executor's own chaos property (Exchanges.Tests) runs on an in-memory journal; this one runs it on the status
/// subresource, through the reconciler, its finalizer and restarts. The seed fixes which fault comes at which clock
/// step; where the operator stands at that step can vary between runs (its HTTP work runs in real time), so the checks
/// are invariants that hold on every path, not one path's outcome. Each run prints what it injected and checked.
/// </summary>
public sealed class BinanceChaosTests(ITestOutputHelper output) : BinanceOperatorTest("operator-binance-chaos-")
{
    private const string AccountEndpoint = "GET /api/v3/account";
    private const string TradesEndpoint = "GET /api/v3/myTrades";
    private const string RulesEndpoint = "GET /api/v3/exchangeInfo";
    private const int StepsPerPhase = 400;

    private static readonly (string Name, string Endpoint, Fault Fault)[] ExchangeFaults =
    [
        ("order 502 after executing", BinanceOperator.OrderEndpoint, Fault.ServerErrorAfter()),
        ("order timeout after executing", BinanceOperator.OrderEndpoint, Fault.TimeoutAfter()),
        ("order dropped after executing", BinanceOperator.OrderEndpoint, Fault.DropAfter()),
        ("order -1006 after executing", BinanceOperator.OrderEndpoint, Fault.ErrorAfter(-1006, "An unexpected response was received from the message bus. Execution status unknown.", 500)),
        ("order 503 before executing", BinanceOperator.OrderEndpoint, Fault.ServerErrorBefore()),
        ("order -1021", BinanceOperator.OrderEndpoint, Fault.Reject(-1021, "Timestamp for this request is outside of the recvWindow.")),
        ("order 429", BinanceOperator.OrderEndpoint, Fault.TooManyRequests(429, 3)),
        ("order partial fill", BinanceOperator.OrderEndpoint, Fault.Partial(0.4m)),
        ("look-up 503", LookupEndpoint, Fault.ServerErrorBefore()),
        ("look-up unreadable", LookupEndpoint, Fault.Unreadable()),
        ("look-up 429", LookupEndpoint, Fault.TooManyRequests(429, 2)),
        ("myTrades lagging", TradesEndpoint, Fault.TradesLag()),
        ("account 503", AccountEndpoint, Fault.ServerErrorBefore()),
        ("exchangeInfo 503", RulesEndpoint, Fault.ServerErrorBefore()),
    ];

    private static readonly (string Name, int Status, bool AfterApplying, string Resource)[] ApiFaults =
    [
        ("status patch 500", 500, false, "indexfunds/status"),
        ("status patch 503", 503, false, "indexfunds/status"),
        ("status patch 409", 409, false, "indexfunds/status"),
        ("status patch applied then 504", 504, true, "indexfunds/status"),
        ("status patch applied then 500", 500, true, "indexfunds/status"),
        ("fund patch 500", 500, false, "indexfunds"),
        ("fund patch applied then 504", 504, true, "indexfunds"),
    ];

    private readonly Dictionary<string, int> injected = new(StringComparer.Ordinal);
    private IKubernetes client = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        client = Op.Cluster.CreateClient();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task Random_faults_and_restarts_never_lose_or_double_a_trade(int seed)
    {
        var random = new Random(seed);
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest("\n  rebalance: {minInterval: 0s}")));

        var sequence = await ChaosPhaseAsync(random, after: 0);
        await MovePricesAsync(btc: 70_000m);
        sequence = await ChaosPhaseAsync(random, after: sequence);
        await MovePricesAsync(btc: 50_000m);
        await ChaosPhaseAsync(random, after: sequence);

        // The dust settles: no more faults; whatever a fault left (a partial fill's drift) is rebalanced away.
        var unfired = Binance.PendingFaults;
        Binance.ClearFaults();
        Op.Cluster.Faults.Clear();
        var done = await PumpAsync(null, s => FakeClockPump.ConditionReason(s) == "WithinThresholds" && s?["rebalanceInProgress"] is null);

        var fills = AssertEveryOrderRecordedOnce(done);

        // No finalizer is left once no rebalance is in progress (a delete would wait for nothing): the reconcile that
        // reports the rebalance done removes it right after its status write, or a later refresh does.
        var steps = 0;
        while (await HoldsFinalizerAsync())
        {
            Assert.True(++steps < 150, $"the finalizer stayed {steps} s after rebalance {(long?)done["rebalanceSequence"]} finished");
            await StepAsync();
        }

        output.WriteLine($"finalizer gone {steps} s after the fund settled");
        var executed = Binance.State.Orders.Count(o => o.ExecutedQuantity > 0m);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {injected.Values.Sum()} faults injected, {unfired} of them on the exchange never reached, "
            + $"{Op.Cluster.Requests.Where("patch", "indexfunds").Count(r => r.StatusCode is 409 or >= 500)} fund writes failed or conflicted ({string.Join(", ", injected.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} ×{f.Value}"))}); "
            + $"{(long?)done["rebalanceSequence"]} rebalances, {Binance.RequestLog.Count(r => r.StartsWith(BinanceOperator.OrderEndpoint, StringComparison.Ordinal))} order requests, "
            + $"{Binance.State.Orders.Count} orders in the book ({executed} executed, each checked against status.trades), "
            + $"{fills} fills of the last rebalance matched one by one"));
    }

    /// <summary>Runs the clock with faults until a rebalance after <paramref name="after"/> is done and the fund is Ready; returns its sequence.</summary>
    private async Task<long> ChaosPhaseAsync(Random random, long after)
    {
        var status = await PumpAsync(
            random,
            s => (long?)s?["rebalanceSequence"] > after && s?["rebalanceInProgress"] is null && FakeClockPump.ConditionReason(s) == "WithinThresholds");
        return (long)status["rebalanceSequence"]!;
    }

    private async Task MovePricesAsync(decimal btc)
    {
        lock (Binance.State.Gate)
        {
            Binance.State.Prices["BTC"] = btc;
        }

        await File.WriteAllTextAsync(Path.Combine(Folder, "prices.json"), SixtyFortyFund.Prices(Clock.GetUtcNow(), btc));
    }

    /// <summary>
    /// Advances the clock a second at a time until <paramref name="done"/> holds; with <paramref name="random"/>, each
    /// step may first inject a fault (faults stop after half the steps, so a phase can always finish).
    /// </summary>
    private async Task<JsonNode> PumpAsync(Random? random, Func<JsonNode?, bool> done)
    {
        JsonNode? status = null;
        for (var step = 0; step < StepsPerPhase; step++)
        {
            status = (await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund))["status"];
            if (done(status))
            {
                return status!;
            }

            // Mostly while a rebalance runs, where a fault can cost a trade; a few between rebalances (its start, the finalizer).
            if (random is not null && step < StepsPerPhase / 2 && random.NextDouble() < (status?["rebalanceInProgress"] is null ? 0.1 : 0.8))
            {
                await InjectAsync(random, midRebalance: status?["rebalanceInProgress"] is not null);
            }

            await StepAsync();
        }

        throw new Xunit.Sdk.XunitException($"the fund never settled; faults {string.Join(", ", injected.Keys)}; status:\n{status?.ToJsonString()}");
    }

    /// <summary>
    /// One second of the fake clock, then real time for the operator's HTTP work, until neither the API server nor the
    /// exchange has seen a request for a while. A fixed real delay is not enough on a loaded machine: the clock then
    /// runs ahead of requests already signed, and the fake exchange refuses them by its recvWindow (-1021, as Binance
    /// would a request that took 5 s), so a rebalance never finishes within the steps. The clock, not these waits,
    /// drives the operator's schedule.
    /// </summary>
    private async Task StepAsync()
    {
        Clock.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(20);
        // At most half a second: work that runs on real time alone must not hold the clock forever.
        for (var (quiet, polls) = (0, 0); quiet < 2 && polls < 50; polls++)
        {
            var before = (Op.Cluster.Requests.Recorded, Binance.RequestLog.Count);
            await Task.Delay(10);
            quiet = before == (Op.Cluster.Requests.Recorded, Binance.RequestLog.Count) ? quiet + 1 : 0;
        }
    }

    private async Task InjectAsync(Random random, bool midRebalance)
    {
        var pick = random.Next(ExchangeFaults.Length + ApiFaults.Length + 1);
        if (pick < ExchangeFaults.Length && Binance.PendingFaults < 3)
        {
            var (name, endpoint, fault) = ExchangeFaults[pick];
            Binance.Inject(endpoint, fault);
            Count(name);
        }
        else if (pick >= ExchangeFaults.Length && pick < ExchangeFaults.Length + ApiFaults.Length)
        {
            var (name, code, afterApplying, resource) = ApiFaults[pick - ExchangeFaults.Length];
            if (afterApplying)
            {
                Op.Cluster.Faults.FailNextAfterApplying(1, code, verb: "patch", resource: resource, name: Fund);
            }
            else
            {
                Op.Cluster.Faults.FailNext(random.Next(1, 3), code, verb: "patch", resource: resource, name: Fund);
            }

            Count(name);
        }
        else if (pick == ExchangeFaults.Length + ApiFaults.Length)
        {
            await Op.RestartAsync(Clock);
            Count(midRebalance ? "operator restart mid-rebalance" : "operator restart between rebalances");
        }
    }

    private async Task<bool> HoldsFinalizerAsync()
    {
        var fund = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, Fund);
        return fund["metadata"]?["finalizers"]?.AsArray().Any(f => (string?)f == "cryptoindex.io/rebalance-in-progress") == true;
    }

    private void Count(string name) => injected[name] = injected.GetValueOrDefault(name) + 1;

    /// <summary>The invariants; returns how many fills of the last rebalance were matched one by one against its record.</summary>
    private int AssertEveryOrderRecordedOnce(JsonNode status)
    {
        List<FakeOrder> orders;
        lock (Binance.State.Gate)
        {
            orders = [.. Binance.State.Orders];
        }

        // Each client order id reached the exchange's book at most once.
        Assert.All(orders.GroupBy(o => o.ClientOrderId, StringComparer.Ordinal), g => Assert.Single(g));

        // No order of a rebalance was sent once a later rebalance had started (ids are ci-{fund}-{sequence}-{leg}).
        var sent = Binance.RequestLog.Where(r => r.StartsWith(BinanceOperator.OrderEndpoint + "?", StringComparison.Ordinal))
            .Select(r => long.Parse(r.Split('&').Single(p => p.StartsWith("newClientOrderId=", StringComparison.Ordinal)).Split('-')[2], CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(sent.Zip(sent.Skip(1)).All(p => p.First <= p.Second), "orders of rebalances out of order: " + string.Join(", ", sent));

        // Every order the exchange executed is a trade in the status, with the exchange's quantity and commission.
        var trades = status["trades"]!.AsArray().ToDictionary(t => (string)t!["id"]!, t => t!, StringComparer.Ordinal);
        foreach (var order in orders)
        {
            Assert.True(trades.TryGetValue(order.ClientOrderId, out var trade), $"{order.ClientOrderId} executed {order.ExecutedQuantity} but is not in status.trades");
            Assert.Equal(order.ExecutedQuantity > 0m ? "Completed" : "Failed", (string?)trade["status"]);
            if (order.ExecutedQuantity > 0m)
            {
                Assert.Equal(order.ExecutedQuantity, Decimal(trade["quantity"]));
                Assert.Equal(order.Fills.Sum(f => f.Commission), Decimal(trade["fee"]));
            }
        }

        // And a trade the status says executed is an order the exchange has.
        Assert.All(trades.Values.Where(t => (string?)t["status"] == "Completed"), t => Assert.Contains(orders, o => o.ClientOrderId == (string?)t["id"]));

        // The last rebalance's record holds each of its orders' fills exactly as the exchange made them.
        var checkedFills = 0;
        foreach (var leg in status["execution"]!["legs"]!.AsArray())
        {
            var recorded = leg!["fills"]!.AsArray().Select(f => (Decimal(f!["quantity"]), Decimal(f["price"]), Decimal(f["fee"]))).Order().ToList();
            var made = orders.SingleOrDefault(o => o.ClientOrderId == (string?)leg["clientOrderId"])?.Fills.Select(f => (f.Quantity, f.Price, f.Commission)).Order().ToList() ?? [];
            Assert.Equal(made, recorded);
            checkedFills += made.Count;
        }

        // The books: capital plus every fill, less the commissions (buys pay in the asset, sells in USDT).
        var btc = Net(orders, "BTC");
        var eth = Net(orders, "ETH");
        var cash = 10_000m - orders.SelectMany(o => o.Fills.Select(f => (o.Side, f))).Sum(x => x.Side == "BUY" ? x.f.Quantity * x.f.Price : -x.f.Quantity * x.f.Price + x.f.Commission);
        Assert.Equal(btc, Quantity(status, "BTC"));
        Assert.Equal(eth, Quantity(status, "ETH"));
        Assert.Equal(cash, Decimal(status["cash"]));
        Assert.Equal((Binance.State.Balance("BTC"), Binance.State.Balance("ETH"), Binance.State.Balance("USDT")), (btc, eth, cash));
        return checkedFills;
    }

    private static decimal Net(List<FakeOrder> orders, string asset) =>
        orders.Where(o => o.Asset == asset).SelectMany(o => o.Fills.Select(f => o.Side == "BUY" ? f.Quantity - f.Commission : -f.Quantity)).Sum();

    private static decimal Quantity(JsonNode status, string symbol) =>
        Decimal(status["allocations"]!.AsArray().Single(a => (string?)a!["symbol"] == symbol)!["quantity"]);

    private static decimal Decimal(JsonNode? node) => decimal.Parse((string)node!, CultureInfo.InvariantCulture);
}
