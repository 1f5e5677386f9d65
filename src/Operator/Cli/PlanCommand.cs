using System.Text.Json.Nodes;
using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Engine.Weights;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Api;
using Spectre.Console;

namespace CryptoIndex.Operator.Cli;

/// <summary>What <c>plan</c> computed: targets and drift, the decision, and the orders it would place.</summary>
public sealed record PlanReport(
    string Fund,
    PortfolioValuation Valuation,
    IReadOnlyDictionary<string, decimal> IndexWeights,
    RebalanceDecision Decision,
    TradePlan? Plan,
    string? Note,
    string? Stale = null);

/// <summary>
/// <c>plan -f FUND.yaml (--prices PRICES.json | --provider coingecko) [--holdings HOLDINGS.json] [-o table|json|markdown]</c>: what the operator
/// would do with this manifest at these prices, without an API server or an exchange.
/// </summary>
public static class PlanCommand
{
    public static async Task<int> RunAsync(
        string manifest, string? pricesPath, string? holdingsPath, string? name, string output, DateTimeOffset? now, TextWriter stdout, TextWriter stderr,
        string? provider = null, Uri? coinGeckoUrl = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (fund, definition, loadExit) = FundFile.Load(manifest, name, stderr);
        if (definition is null)
        {
            return loadExit;
        }

        if ((pricesPath is null) == (provider is null))
        {
            stderr.WriteLine("give prices with either --prices FILE or --provider coingecko");
            return ExitCodes.InvalidInput;
        }

        if (provider is not null && provider != "coingecko")
        {
            stderr.WriteLine($"--provider: '{provider}' is not supported; use coingecko, or --prices FILE");
            return ExitCodes.InvalidInput;
        }

        var (holdings, history, holdingsError) = PlanInputs.ReadHoldings(holdingsPath, definition);
        if (holdingsError is not null)
        {
            stderr.WriteLine(holdingsError);
            return ExitCodes.InvalidInput;
        }

        if (now is { } at && history!.LastRebalanceAt is { } lastAt && at < lastAt)
        {
            // A decision before the last rebalance would count a negative time since it ("only -8h30m since").
            stderr.WriteLine($"--now {Time(at)} is before the holdings' lastRebalanceAt {Time(lastAt)}: give a time at or after it");
            return ExitCodes.InvalidInput;
        }

        var (quotes, priceError) = pricesPath is not null
            ? await PlanInputs.ReadPricesAsync(pricesPath, definition, holdings, now).ConfigureAwait(false)
            : await PlanInputs.FetchLiveAsync(definition, coinGeckoUrl, TimeProvider.System).ConfigureAwait(false);
        if (priceError is not null)
        {
            stderr.WriteLine(priceError);
            return ExitCodes.InvalidInput;
        }

        var decideAt = now ?? quotes!.Values.Max(q => q.ObservedAt);
        if (history!.LastRebalanceAt is { } last && decideAt < last)
        {
            stderr.WriteLine($"{(pricesPath is not null ? "--prices" : "--provider coingecko")}: observed at {Time(decideAt)}, before the holdings' lastRebalanceAt {Time(last)}: give newer prices, or --now");
            return ExitCodes.InvalidInput;
        }

        var (report, error) = Compute(fund!.Metadata.Name ?? "fund", definition, quotes!, holdings!, history, decideAt);
        if (report is null)
        {
            stderr.WriteLine(error);
            return ExitCodes.InvalidInput;
        }

        switch (output)
        {
            case "json":
                stdout.WriteLine(ToJson(report).ToJsonString(CliJson.Output));
                break;
            case "markdown":
                stdout.Write(ToMarkdown(report));
                break;
            default:
                WriteTables(report, Terminal.For(stdout));
                break;
        }

        return ExitCodes.Ok;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public static (PlanReport? Report, string? Error) Compute(
        string name, FundDefinition fund, IReadOnlyDictionary<string, PriceQuote> quotes, Holdings holdings, RebalanceHistory history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fund);
        var targets = TargetWeights.Compute(fund.EngineConstituents(s => quotes.TryGetValue(s, out var q) ? q.MarketCap : null), fund.Weighting);
        if (!targets.IsSuccess)
        {
            return (null, targets.Error.ToString());
        }

        var weights = targets.Value.BySymbol();
        var prices = quotes.ToDictionary(q => q.Key, q => q.Value.Price, StringComparer.Ordinal);
        var valuation = Valuation.Evaluate(holdings, prices, weights, fund.Planning.CashBuffer);
        if (!valuation.IsSuccess)
        {
            return (null, valuation.Error.ToString());
        }

        // Judged as the operator judges it (MarketSnapshot.StaleAssets against spec.prices.maxAge): with a constituent's
        // price older than that, the fund reports PricesStale and decides nothing, so it places no order.
        var assets = fund.Constituents.Select(c => new AssetRef(c.Symbol, c.CoinGeckoId, c.BinancePair)).ToList();
        var snapshot = new MarketSnapshot(
            now, assets.Where(a => quotes.ContainsKey(a.Symbol)).ToDictionary(a => a, a => quotes[a.Symbol]), [], [], assets.ToHashSet());
        var stale = snapshot.StaleAssets(assets, fund.Prices.MaxAge, now);
        if (stale.Count > 0)
        {
            var message = "prices stale: " + string.Join(", ", stale.Select(s => s.Describe(fund.Prices.MaxAge)));
            return (new PlanReport(name, valuation.Value, weights, new RebalanceDecision(false, [], null), null,
                "PricesStale: the operator would not trade on these prices", message), null);
        }

        var decision = RebalanceDecider.Decide(valuation.Value, fund.Policy, history, now).Value;
        var note = fund.Suspend ? "suspended: the operator would not trade" : fund.DryRun && decision.ShouldRebalance ? "dryRun: the operator would record these orders, not send them" : null;
        TradePlan? plan = null;
        if (decision.ShouldRebalance && !fund.Suspend)
        {
            var planned = TradePlanner.Plan(new PlanRequest(holdings, prices, weights, new Dictionary<string, SymbolRules>(), fund.Planning));
            if (!planned.IsSuccess)
            {
                return (null, planned.Error.ToString());
            }

            plan = planned.Value;
        }

        return (new PlanReport(name, valuation.Value, weights, decision, plan, note), null);
    }

    public static JsonObject ToJson(PlanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["fund"] = report.Fund,
            ["nav"] = report.Valuation.Nav,
            ["cash"] = new JsonObject
            {
                ["value"] = report.Valuation.Cash,
                ["targetWeight"] = report.Valuation.CashTarget,
                ["currentWeight"] = report.Valuation.CashWeight,
            },
            ["targets"] = new JsonArray([.. report.Valuation.Positions.Select(p => (JsonNode)new JsonObject
            {
                ["symbol"] = p.Symbol,
                ["targetWeight"] = p.TargetWeight,
                ["currentWeight"] = p.CurrentWeight,
                ["drift"] = p.Drift,
            })]),
            ["decision"] = new JsonObject
            {
                ["rebalance"] = report.Decision.ShouldRebalance,
                ["reasons"] = new JsonArray([.. report.Decision.Reasons.Select(r => (JsonNode)r.Message)]),
                ["heldBack"] = report.Decision.HeldBackBy?.Message,
                ["stale"] = report.Stale,
                ["note"] = report.Note,
            },
            ["orders"] = new JsonArray([.. (report.Plan?.Orders ?? []).Select(o => (JsonNode)new JsonObject
            {
                ["leg"] = o.Leg,
                ["symbol"] = o.Symbol,
                ["side"] = o.Side.ToString(),
                ["quantity"] = o.Quantity,
                ["price"] = o.Price,
                ["notional"] = o.Notional,
                ["estimatedFee"] = o.EstimatedFee,
            })]),
            ["dropped"] = new JsonArray([.. (report.Plan?.Dropped ?? []).Select(d => (JsonNode)new JsonObject
            {
                ["symbol"] = d.Symbol,
                ["side"] = d.Side.ToString(),
                ["reason"] = d.Reason.ToString(),
                ["message"] = d.Message,
            })]),
            ["turnover"] = report.Plan?.Turnover ?? 0m,
            ["estimatedFees"] = report.Plan?.EstimatedFees ?? 0m,
            ["residualDrift"] = report.Plan?.ResidualDrift ?? report.Valuation.TotalDrift,
        };
    }

    private static string ToMarkdown(PlanReport report)
    {
        var text = new System.Text.StringBuilder();
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"### Plan for `{report.Fund}`: NAV {Engine.Format.Number(report.Valuation.Nav, 2)}\n\n");
        text.Append("| asset | price | target | current | drift |\n|---|---:|---:|---:|---:|\n");
        foreach (var p in report.Valuation.Positions)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| {p.Symbol} | {Funds.StatusText.Price(p.Price)} | {Engine.Format.Percent(p.TargetWeight)} | {Engine.Format.Percent(p.CurrentWeight)} | {Engine.Format.PercentagePoints(p.Drift)} |\n");
        }

        var v = report.Valuation;
        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| cash | | {Engine.Format.Percent(v.CashTarget)} | {Engine.Format.Percent(v.CashWeight)} | {Engine.Format.PercentagePoints(v.CashWeight - v.CashTarget)} |\n");

        text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n**Decision:** {(report.Decision.ShouldRebalance ? "rebalance" : "no rebalance")} — {report.Stale ?? report.Decision.Summary}\n");
        if (report.Note is not null)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\n_{report.Note}_\n");
        }

        if (report.Plan is { } plan)
        {
            text.Append("\n| leg | side | quantity | asset | price | value | fee |\n|---:|---|---:|---|---:|---:|---:|\n");
            foreach (var o in plan.Orders)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"| {o.Leg} | {o.Side} | {Engine.Format.Number(o.Quantity, 12)} | {o.Symbol} | {Funds.StatusText.Price(o.Price)} | {Engine.Format.Number(o.Notional, 2)} | {Engine.Format.Number(o.EstimatedFee, 2)} |\n");
            }

            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"\nTurnover {Engine.Format.Number(plan.Turnover, 2)}, estimated fees {Engine.Format.Number(plan.EstimatedFees, 2)}, residual drift {Engine.Format.Percent(plan.ResidualDrift)}.\n");
        }

        return text.ToString();
    }

    private static void WriteTables(PlanReport report, Terminal console)
    {
        var targets = new Table().Title($"{report.Fund}: NAV {Engine.Format.Number(report.Valuation.Nav, 2)}")
            .AddColumns("asset", "price", "target", "current", "drift");
        foreach (var p in report.Valuation.Positions)
        {
            targets.AddRow(p.Symbol, Funds.StatusText.Price(p.Price), Engine.Format.Percent(p.TargetWeight), Engine.Format.Percent(p.CurrentWeight), Engine.Format.PercentagePoints(p.Drift));
        }

        var cash = report.Valuation;
        targets.AddRow("cash", string.Empty, Engine.Format.Percent(cash.CashTarget), Engine.Format.Percent(cash.CashWeight), Engine.Format.PercentagePoints(cash.CashWeight - cash.CashTarget));
        console.Write(targets);
        console.WriteLine($"Decision: {(report.Decision.ShouldRebalance ? "rebalance" : "no rebalance")}: {report.Stale ?? report.Decision.Summary}");
        if (report.Note is not null)
        {
            console.WriteLine(report.Note);
        }

        if (report.Plan is not { } plan)
        {
            return;
        }

        var orders = new Table().AddColumns("leg", "side", "quantity", "asset", "price", "value", "fee");
        foreach (var o in plan.Orders)
        {
            orders.AddRow(o.Leg.ToString(System.Globalization.CultureInfo.InvariantCulture), o.Side.ToString(), Engine.Format.Number(o.Quantity, 12), o.Symbol,
                Funds.StatusText.Price(o.Price), Engine.Format.Number(o.Notional, 2), Engine.Format.Number(o.EstimatedFee, 2));
        }

        console.Write(orders);
        foreach (var d in plan.Dropped)
        {
            console.WriteLine("not sent: " + d.Message);
        }

        console.WriteLine($"Turnover {Engine.Format.Number(plan.Turnover, 2)}, estimated fees {Engine.Format.Number(plan.EstimatedFees, 2)}, residual drift {Engine.Format.Percent(plan.ResidualDrift)}");
    }
}

/// <summary>
/// A Spectre console over any writer: plain text when redirected (CI logs, tests), colour in a terminal. Text lines
/// (the decision and its reasons, notes, data issues) are Spectre-wrapped at word boundaries only in a terminal; when
/// redirected each is written as one line, so a saved table can be searched (grep) for a whole reason.
/// </summary>
internal sealed class Terminal
{
    // Redirected output has no width: tables keep their natural width instead of being squeezed, and are never wrapped.
    private const int RedirectedWidth = 4096;

    private readonly IAnsiConsole console;
    private readonly TextWriter writer;
    private readonly bool isTerminal;

    private Terminal(IAnsiConsole console, TextWriter writer, bool isTerminal) => (this.console, this.writer, this.isTerminal) = (console, writer, isTerminal);

    public static Terminal For(TextWriter writer)
    {
        var terminal = writer == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return new Terminal(console, writer, terminal);
    }

    public void Write(Spectre.Console.Rendering.IRenderable renderable) => console.Write(renderable);

    public void WriteLine(string text)
    {
        if (isTerminal)
        {
            console.WriteLine(text);
        }
        else
        {
            writer.WriteLine(text);
        }
    }
}
