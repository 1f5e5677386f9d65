using System.Text.Json.Nodes;
using CryptoIndex.Engine.Backtesting;
using CryptoIndex.Engine.Weights;
using CryptoIndex.Operator.Api;
using Spectre.Console;

namespace CryptoIndex.Operator.Cli;

/// <summary>
/// <c>backtest -f FUND.yaml --data DIR [--from DATE] [--to DATE] [--fee RATE] [-o table|json|markdown] [--chart FILE.svg|.png]</c>:
/// replays the fund over daily history, beside buy-and-hold and daily rebalancing.
/// </summary>
public static class BacktestCommand
{
    public static int Run(
        string manifest, string data, string? name, DateOnly? from, DateOnly? to, string? fee, string output, string? chart, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var (fund, definition, loadExit) = FundFile.Load(manifest, name, stderr);
        if (definition is null)
        {
            return loadExit;
        }

        var (feeRate, feeError) = FeeRate(fee, definition.Planning.FeeRate, stderr);
        var inputError = feeError ?? ChartError(chart) ?? (from > to ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"--from {from:yyyy-MM-dd} is after --to {to:yyyy-MM-dd}") : null);
        if (inputError is not null)
        {
            stderr.WriteLine(inputError);
            return ExitCodes.InvalidInput;
        }

        var needsCaps = definition.Weighting.Scheme is WeightingScheme.MarketCap or WeightingScheme.SqrtMarketCap;
        var (history, error) = CoinGeckoHistory.Load(data, [.. definition.Constituents.Select(c => c.Symbol)], needsCaps, from, to);
        if (history is null)
        {
            stderr.WriteLine(error);
            return ExitCodes.InvalidInput;
        }

        var spec = new BacktestSpec(
            definition.EngineConstituents(_ => null), definition.Weighting, definition.Policy, definition.Planning with { FeeRate = feeRate }, definition.Capital);
        var (results, failure) = RunStrategies(spec, history, stdout);
        if (failure is not null)
        {
            stderr.WriteLine(failure);
            return ExitCodes.InvalidInput;
        }

        var title = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{fund!.Metadata.Name}: {history.Days[0].Date:yyyy-MM-dd} to {history.Days[^1].Date:yyyy-MM-dd}");
        try
        {
            if (chart is not null && chart.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
            {
                PngChart.Write(chart, title, results);
            }
            else if (chart is not null)
            {
                File.WriteAllText(chart, SvgChart.Render(title, results));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"--chart: cannot write '{chart}': {e.Message}");
            return ExitCodes.InvalidInput;
        }

        if (output == "json")
        {
            var inputs = new BacktestInputs(data, from, to, fee is null ? "spec.exchange.feeRate" : "--fee", spec);
            stdout.WriteLine(ToJson(fund.Metadata.Name ?? "fund", history, results, inputs).ToJsonString(CliJson.Output));
        }
        else if (output == "markdown")
        {
            stdout.Write(ToMarkdown(title, history, results));
        }
        else
        {
            WriteTable(title, history, results, Terminal.For(stdout));
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// --fee as a percentage (0.1%) or a fraction (0.001), below 50 % like the manifest's feeRate. A bare number of 1 or
    /// more hundredths is taken as written but called out: "0.1" is easily meant as 0.1 %, and it is 10 %.
    /// </summary>
    private static (decimal Rate, string? Error) FeeRate(string? fee, decimal manifestRate, TextWriter stderr)
    {
        if (fee is null)
        {
            return (manifestRate, null);
        }

        var isPercent = fee.EndsWith('%');
        if (!(isPercent ? Values.TryParsePercent(fee, out var rate)
                : decimal.TryParse(fee, System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out rate)))
        {
            return (0m, $"--fee: '{fee}' is not a rate such as 0.1% or 0.001");
        }

        if (rate >= Engine.Limits.FeeRateBound)
        {
            return (0m, $"--fee: {fee} is a rate of {Engine.Format.Percent(rate, 4)} per side; it must be below {Engine.Format.Percent(Engine.Limits.FeeRateBound, 0)} (0.1% or 0.001 for a tenth of a percent)");
        }

        if (!isPercent && rate >= 0.01m)
        {
            stderr.WriteLine($"note: --fee {fee} is a rate of {Engine.Format.Percent(rate, 4)} per side; for {fee}% write --fee {fee}%");
        }

        return (rate, null);
    }

    private static string? ChartError(string? chart)
    {
        if (chart is null)
        {
            return null;
        }

        if (!chart.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) && !chart.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            return $"--chart: '{chart}': write a .svg or a .png file";
        }

        // Checked before the replay, which can take a while, rather than failing after it.
        var folder = Path.GetDirectoryName(Path.GetFullPath(chart));
        return folder is null || Directory.Exists(folder) ? null : $"--chart: folder '{folder}' does not exist";
    }

    /// <summary>The fund's rules and the two baselines; with progress bars when a person is watching a terminal.</summary>
    private static (List<BacktestResult> Results, string? Failure) RunStrategies(BacktestSpec spec, History history, TextWriter stdout)
    {
        var results = new List<BacktestResult>();
        string? failure = null;
        void RunAll(Action<BacktestStrategy>? started)
        {
            foreach (var strategy in new[] { BacktestStrategy.FundRules, BacktestStrategy.BuyAndHold, BacktestStrategy.Daily })
            {
                started?.Invoke(strategy);
                var result = Backtester.Run(spec, history.Days, strategy);
                if (!result.IsSuccess)
                {
                    failure = result.Error.ToString();
                    return;
                }

                results.Add(result.Value);
            }
        }

        if (stdout == Console.Out && !Console.IsOutputRedirected)
        {
            AnsiConsole.Progress().Start(context =>
            {
                var task = context.AddTask($"replaying {history.Days.Count} days", maxValue: 3);
                RunAll(strategy => task.Increment(strategy == BacktestStrategy.FundRules ? 0 : 1));
                task.Increment(1);
            });
        }
        else
        {
            RunAll(null);
        }

        return (results, failure);
    }

    /// <summary>What decides a replay beside the history: the options as given and the fund as read (fee rate included).</summary>
    public sealed record BacktestInputs(string DataFolder, DateOnly? RequestedFrom, DateOnly? RequestedTo, string FeeRateFrom, BacktestSpec Spec);

    /// <summary>
    /// The figures of every strategy; with <paramref name="inputs"/>, also what decided them, each strategy's rebalances
    /// (date, reasons, turnover, fees) and its daily NAV. The figures are JSON numbers as they always were; the fields
    /// added for audit write amounts, rates and NAVs as invariant decimal strings (up to 8 decimals, as the operator's
    /// status writes money), so no JSON reader turns them into floating point.
    /// </summary>
    public static JsonObject ToJson(string fund, History history, IReadOnlyList<BacktestResult> results, BacktestInputs? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(results);
        var own = results[0];
        var json = new JsonObject
        {
            ["fund"] = fund,
            ["from"] = history.Days[0].Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["to"] = history.Days[^1].Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["days"] = history.Days.Count,
            ["rebalances"] = own.Rebalances,
            ["turnover"] = own.Turnover,
            ["fees"] = own.Fees,
            ["finalValue"] = own.FinalValue,
            ["return"] = own.Return,
            ["maxDrawdown"] = own.MaxDrawdown,
            ["volatility"] = own.Volatility,
            ["baselines"] = new JsonObject([.. results.Skip(1).Select(r => KeyValuePair.Create(Key(r.Strategy), (JsonNode?)Figures(r)))]),
            ["issues"] = new JsonArray([.. history.Issues.Select(i => (JsonNode)i)]),
        };
        if (inputs is null)
        {
            return json;
        }

        json["inputs"] = Inputs(history, inputs);
        json["rebalanceLog"] = RebalanceLog(own);
        json["navSeries"] = NavSeries(own);
        foreach (var baseline in results.Skip(1))
        {
            var figures = json["baselines"]![Key(baseline.Strategy)]!.AsObject();
            figures["rebalanceLog"] = RebalanceLog(baseline);
            figures["navSeries"] = NavSeries(baseline);
        }

        return json;
    }

    private static string Key(BacktestStrategy strategy) => strategy == BacktestStrategy.BuyAndHold ? "buyAndHold" : "daily";

    private static JsonObject Figures(BacktestResult r) => new()
    {
        ["rebalances"] = r.Rebalances,
        ["turnover"] = r.Turnover,
        ["fees"] = r.Fees,
        ["finalValue"] = r.FinalValue,
        ["return"] = r.Return,
        ["maxDrawdown"] = r.MaxDrawdown,
        ["volatility"] = r.Volatility,
    };

    // Money, rates and weights in the audit fields: an invariant decimal string, never a JSON float.
    private static string Amount(decimal value) => Engine.Format.Number(value, 8);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Inputs(History history, BacktestInputs inputs)
    {
        var spec = inputs.Spec;
        return new JsonObject
        {
            ["capital"] = Amount(spec.Capital),
            ["feeRate"] = Amount(spec.Planning.FeeRate),
            ["feeRateFrom"] = inputs.FeeRateFrom,
            ["requestedFrom"] = inputs.RequestedFrom is { } from ? Date(from) : null,
            ["requestedTo"] = inputs.RequestedTo is { } to ? Date(to) : null,
            ["data"] = new JsonObject
            {
                ["folder"] = inputs.DataFolder,
                ["files"] = new JsonObject([.. (history.Files ?? []).Select(f => KeyValuePair.Create(f.Symbol, (JsonNode?)new JsonObject
                {
                    ["file"] = f.Name,
                    ["sha256"] = f.Sha256,
                }))]),
            },
            ["weighting"] = new JsonObject
            {
                ["scheme"] = spec.Weighting.Scheme.ToString(),
                ["assetCap"] = Amount(spec.Weighting.AssetCap),
                ["assetFloor"] = Amount(spec.Weighting.AssetFloor),
                ["constituents"] = new JsonArray([.. spec.Constituents.Select(c => (JsonNode)new JsonObject
                {
                    ["symbol"] = c.Symbol,
                    ["weight"] = c.ManualWeight is { } weight ? Amount(weight) : null,
                    ["cap"] = c.Cap is { } cap ? Amount(cap) : null,
                })]),
            },
            ["rebalance"] = new JsonObject
            {
                ["threshold"] = Amount(spec.Policy.AssetThreshold),
                ["totalThreshold"] = spec.Policy.TotalThreshold is { } total ? Amount(total) : null,
                ["minInterval"] = spec.Policy.MinInterval is { } min ? Engine.Format.Duration(min) : null,
                ["maxInterval"] = spec.Policy.MaxInterval is { } max ? Engine.Format.Duration(max) : null,
                ["mode"] = spec.Planning.Mode.ToString(),
                ["bandWidth"] = Amount(spec.Planning.BandWidth),
                ["minTradeValue"] = Amount(spec.Planning.MinTradeValue),
                ["cashBuffer"] = Amount(spec.Planning.CashBuffer),
            },
        };
    }

    private static JsonArray RebalanceLog(BacktestResult result) => new([.. result.RebalanceLog.Select(r => (JsonNode)new JsonObject
    {
        ["date"] = Date(r.Date),
        ["reasons"] = new JsonArray([.. r.Reasons.Select(reason => (JsonNode)reason)]),
        ["turnover"] = Amount(r.Turnover),
        ["fees"] = Amount(r.Fees),
    })]);

    private static JsonArray NavSeries(BacktestResult result) => new([.. result.Series.Select(p => (JsonNode)new JsonObject
    {
        ["date"] = Date(p.Date),
        ["nav"] = Amount(p.Nav),
    })]);

    private static readonly string[] Columns = ["", "rebalances", "turnover", "fees", "final value", "return", "max drawdown", "volatility"];

    /// <summary>One row of figures per strategy, as the table and the Markdown print them.</summary>
    private static string[] Row(BacktestResult r) =>
    [
        r.Strategy switch { BacktestStrategy.FundRules => "fund rules", BacktestStrategy.BuyAndHold => "buy and hold", _ => "daily" },
        r.Rebalances.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Engine.Format.Number(r.Turnover, 2),
        Engine.Format.Number(r.Fees, 2),
        Engine.Format.Number(r.FinalValue, 2),
        Engine.Format.Percent(r.Return),
        Engine.Format.Percent(r.MaxDrawdown),
        Engine.Format.Percent(r.Volatility),
    ];

    /// <summary>The same figures as a Markdown table, for a pull request or a report.</summary>
    public static string ToMarkdown(string title, History history, IReadOnlyList<BacktestResult> results)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(results);
        var text = new System.Text.StringBuilder();
        text.Append("### Backtest ").AppendLine(title).AppendLine();
        text.Append("| strategy | ").AppendJoin(" | ", Columns.Skip(1)).AppendLine(" |");
        text.Append("|---|").AppendJoin(string.Empty, Columns.Skip(1).Select(_ => "---:|")).AppendLine();
        foreach (var r in results)
        {
            text.Append("| ").AppendJoin(" | ", Row(r)).AppendLine(" |");
        }

        text.AppendLine();
        foreach (var issue in history.Issues)
        {
            text.Append("- data: ").AppendLine(issue);
        }

        return text.AppendLine("Data provided by CoinGecko.").ToString();
    }

    private static void WriteTable(string title, History history, IReadOnlyList<BacktestResult> results, Terminal console)
    {
        var table = new Table().Title(title).AddColumns(Columns);
        foreach (var r in results)
        {
            table.AddRow(Row(r));
        }

        console.Write(table);
        foreach (var issue in history.Issues)
        {
            console.WriteLine("data: " + issue);
        }

        console.WriteLine("Data provided by CoinGecko.");
    }
}
