using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// A <c>spec.dryRun</c> fund previews what its real run would send: planned with the exchange's symbol rules (Binance's
/// from its public exchangeInfo, without the fund's Secret and without signing anything), so its quantities are on the
/// lot step, an order below the minimum notional is listed as not sent, and the same fund with dryRun false sends exactly
/// those orders. When the rules cannot be read the plan is still shown, saying it was made without them, and is made
/// with them again once they can be. The operator runs on a fake clock against the fake Binance.
/// </summary>
public sealed partial class DryRunRulesEndToEndTests() : BinanceOperatorTest("operator-dryrun-rules-")
{
    private const string ExchangeInfo = "GET /api/v3/exchangeInfo";
    private const string DryRun = "\n  dryRun: true";

    /// <summary>
    /// ETH's minimum notional on the fake is above the fund's 4,000 ETH buy: the dry run shows the BTC buy on BTC's lot
    /// step and the ETH buy as not sent, before the fund has any Secret; the real run then sends exactly that BTC buy.
    /// </summary>
    [Fact]
    public async Task A_binance_dry_run_shows_the_orders_on_the_lot_step_and_the_real_run_sends_exactly_those()
    {
        // BTC at 43,210: 6,000 buys 0.13885…, which only the lot step cuts to 5 places.
        await File.WriteAllTextAsync(Path.Combine(Folder, "prices.json"), SixtyFortyFund.Prices(Clock.GetUtcNow(), btc: 43_210m));
        lock (Binance.State.Gate)
        {
            Binance.State.Prices["BTC"] = 43_210m;
            Binance.State.Symbols["ETH"] = Binance.State.Symbols["ETH"] with { MinNotional = 5_000m };
        }

        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest(DryRun)));
        var planned = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "DryRun");

        var plan = planned["rebalances"]![0]!;
        var message = (string)plan["message"]!;
        var orders = Orders(message);
        var (symbol, side, quantity) = Assert.Single(orders);
        Assert.Equal(("BTC", "buy"), (symbol, side));
        Assert.Equal(0.13885m, quantity); // 6,000 / 43,210 on the fake's BTC lot step, 0.00001
        Assert.Equal($"would buy {quantity.ToString(CultureInfo.InvariantCulture)} BTC; below the minimums, not sent: buy ETH; nothing was sent", message);
        Assert.Equal(("True", "dry run: first funding: 10000 in cash to invest; " + message),
            ((string?)FakeClockPump.Condition(planned, "Ready")!["status"], (string?)FakeClockPump.Condition(planned, "Ready")!["message"]));

        // Public exchange info only: no Secret read (there is none yet), nothing signed, no account or order request.
        Assert.Equal(0, Op.Cluster.Requests.Count(verb: "get", resource: "secrets"));
        Assert.NotEmpty(Binance.RequestLog);
        Assert.All(Binance.RequestLog, r => Assert.StartsWith(ExchangeInfo + "?", r, StringComparison.Ordinal));
        Assert.All(Binance.RequestLog, r => Assert.DoesNotContain("signature=", r, StringComparison.Ordinal));
        Assert.Empty(Binance.State.OrderRequests);

        // Later refreshes use the cached rules and, with the same plan, write and tell nothing new.
        var asked = Binance.RequestLog.Count;
        var until = Clock.GetUtcNow().AddMinutes(5);
        await PumpUntilAsync(_ => false, advance: TimeSpan.FromSeconds(10), alsoDone: () => Clock.GetUtcNow() >= until);
        Assert.Equal(asked, Binance.RequestLog.Count);
        var told = Assert.Single(JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalancePlanned", "-o", "json"))!["items"]!.AsArray())!;
        Assert.Equal("dry run: " + message, (string?)told["message"]);

        // The same fund for real: exactly the orders the dry run showed.
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", """{"spec":{"dryRun":false}}""");
        var traded = await PumpUntilAsync(s => s?["trades"]?.AsArray().Count > 0 && s["rebalanceInProgress"] is null, advance: TimeSpan.FromSeconds(5));

        Assert.Equal([("BTC", "BUY", quantity)], Binance.State.OrderRequests.Select(o => (o.Symbol, o.Side, o.Quantity)));
        Assert.Equal([("BTC", "Completed")], traded["trades"]!.AsArray().Select(t => ((string)t!["symbol"]!, (string)t["status"]!)));
    }

    /// <summary>
    /// Binance bans the operator's IP when the dry run first asks (418, Retry-After 120 s): the plan is shown anyway,
    /// saying it was made without the exchange's rules and why, the fund stays Ready, and nothing is asked during the
    /// ban; once it has lifted, the next refresh plans with the rules and tells the new plan, whose orders (buys fitted to the
    /// cash with the 1 % headroom) the real run then sends.
    /// </summary>
    [Fact]
    public async Task Exchange_info_failing_shows_the_plan_without_the_rules_then_with_them_once_it_recovers()
    {
        Binance.Inject(ExchangeInfo, Fault.TooManyRequests(418, seconds: 120));
        var banned = Clock.GetUtcNow(); // the ban starts at the first ask, at or after this
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest(DryRun)));
        var without = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "DryRun");

        var message = (string)without["rebalances"]![0]!["message"]!;
        Assert.Contains("; nothing was sent; " + DryRunPlan.WithoutRules + "Binance exchange info: ", message, StringComparison.Ordinal);
        Assert.Contains("HTTP 418", message, StringComparison.Ordinal);
        Assert.Equal("True", (string?)FakeClockPump.Condition(without, "Ready")!["status"]);
        Assert.Null(FakeClockPump.Condition(without, "Stalled"));
        Assert.Equal(["BTC", "ETH"], Orders(message).Select(o => o.Symbol)); // planned all the same
        Assert.Equal(1, Binance.RequestLog.Count(r => r.StartsWith(ExchangeInfo, StringComparison.Ordinal)));

        // During the ban the venue is not asked again; after it, a refresh plans with the rules.
        // Steps well below the Binance client's 10 s request timeout, which runs on this clock: a step as long as it could
        // time out the request in flight and count a retried one.
        var banEnds = banned.AddSeconds(120);
        var with = await PumpUntilAsync(
            s => !((string?)s?["rebalances"]?[0]?["message"] ?? string.Empty).Contains(DryRunPlan.WithoutRules, StringComparison.Ordinal),
            advance: TimeSpan.FromSeconds(2));
        Assert.True(Clock.GetUtcNow() >= banEnds);
        Assert.Equal(2, Binance.RequestLog.Count(r => r.StartsWith(ExchangeInfo, StringComparison.Ordinal)));
        var withRules = (string)with["rebalances"]![0]!["message"]!;
        Assert.EndsWith("; nothing was sent", withRules, StringComparison.Ordinal);
        Assert.All(Orders(withRules), o => Assert.Equal(0m, o.Quantity % Binance.State.Symbols[o.Symbol].StepSize));
        Assert.Equal(("True", "DryRun"), ((string?)FakeClockPump.Condition(with, "Ready")!["status"], FakeClockPump.ConditionReason(with)));

        // Each plan told once: without the rules, then with them.
        var told = JsonNode.Parse(await Kubectl.OkAsync("get", "events", "--field-selector", "reason=RebalancePlanned", "-o", "json"))!["items"]!.AsArray()
            .Select(e => (string)e!["message"]!).ToList();
        Assert.Equal(2, told.Count);
        Assert.Contains("dry run: " + withRules, told);
        Assert.Equal(0, Op.Cluster.Requests.Count(verb: "get", resource: "secrets"));
        Assert.Empty(Binance.State.OrderRequests);

        // For real, the buys are fitted to the cash with 1 % headroom, as the dry run showed them.
        await BinanceOperator.CreateSecretAsync(Kubectl);
        await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", """{"spec":{"dryRun":false}}""");
        await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));
        Assert.Equal(
            Orders(withRules).Select(o => (o.Symbol, o.Side.ToUpperInvariant(), o.Quantity)),
            Binance.State.OrderRequests.Select(o => (o.Symbol, o.Side, o.Quantity)).OrderBy(o => o.Symbol, StringComparer.Ordinal));
    }

    /// <summary>A paper fund's dry run shows the quantities its real run then trades (paper's rules: none).</summary>
    [Fact]
    public async Task A_paper_dry_run_shows_the_quantities_the_real_run_trades()
    {
        var manifest = SixtyFortyFund.Manifest(prices: "{provider: file, refreshInterval: 60s, maxAge: 6h}", extraSpec: DryRun);
        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", manifest));
        var planned = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "DryRun");
        var orders = Orders((string)planned["rebalances"]![0]!["message"]!);

        await Kubectl.OkAsync("patch", "ifund", Fund, "--type", "merge", "-p", """{"spec":{"dryRun":false}}""");
        var traded = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s) == "WithinThresholds", advance: TimeSpan.FromSeconds(5));

        Assert.Equal(
            orders.Select(o => (o.Symbol, o.Quantity)),
            traded["trades"]!.AsArray().Select(t => ((string)t!["symbol"]!, decimal.Parse((string)t["quantity"]!, CultureInfo.InvariantCulture))).OrderBy(t => t.Item1, StringComparer.Ordinal));
        Assert.Empty(Binance.RequestLog);
    }

    /// <summary>The orders a dry-run message lists ("would buy 0.1 BTC, sell 2 ETH; …").</summary>
    private static List<(string Symbol, string Side, decimal Quantity)> Orders(string message) =>
        OrderPattern().Matches(message.Split("; ")[0])
            .Select(m => (m.Groups[3].Value, m.Groups[1].Value, decimal.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();

    [GeneratedRegex(@"(buy|sell) ([0-9.]+) ([A-Z]+)")]
    private static partial Regex OrderPattern();
}
