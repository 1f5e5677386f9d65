using System.Text.Json.Nodes;
using System.Xml.Linq;
using CryptoIndex.Operator.Cli;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Cli;

public sealed class BacktestCommandTests : IDisposable
{
    private const string EqualWeight = """
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata: {name: pair}
        spec:
          capital: 1000
          weighting: Equal
          constituents: [{symbol: A}, {symbol: B}]
          rebalance: {threshold: 10%, minInterval: 0s, minTradeValue: "0"}
          exchange: {feeRate: 0%}
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("backtest-").FullName;

    private (int Exit, string Out, string Err) Run(
        string fund, string data, string output = "json", string? chart = null, string? from = null, string? to = null, string? fee = null)
    {
        var manifest = Path.Combine(folder, "fund.yaml");
        File.WriteAllText(manifest, fund);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = BacktestCommand.Run(manifest, data, null, Day(from), Day(to), fee, output, chart, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static DateOnly? Day(string? text) => text is null ? null : DateOnly.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Bad_options_are_refused_before_the_replay_naming_the_option()
    {
        var data = HandWritten();

        var missingFolder = Run(EqualWeight, data, chart: Path.Combine(folder, "no-such-folder", "nav.svg"));
        var feeTooHigh = Run(EqualWeight, data, fee: "0.6");
        var reversed = Run(EqualWeight, data, from: "2022-01-03", to: "2022-01-01");

        Assert.Equal((ExitCodes.InvalidInput, string.Empty), (missingFolder.Exit, missingFolder.Out));
        Assert.Contains("--chart: folder '", missingFolder.Err, StringComparison.Ordinal);
        Assert.Contains("no-such-folder' does not exist", missingFolder.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, feeTooHigh.Exit);
        Assert.Contains("--fee: 0.6 is a rate of 60% per side; it must be below 50%", feeTooHigh.Err, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, reversed.Exit);
        Assert.Contains("--from 2022-01-03 is after --to 2022-01-01", reversed.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_fee_of_a_percent_or_more_is_used_as_written_and_called_out()
    {
        var data = HandWritten();

        var (exit, _, errors) = Run(EqualWeight, data, fee: "0.1");
        var (_, _, quiet) = Run(EqualWeight, data, fee: "0.1%");

        Assert.Equal(0, exit);
        Assert.Contains("note: --fee 0.1 is a rate of 10% per side; for 0.1% write --fee 0.1%", errors, StringComparison.Ordinal);
        Assert.Empty(quiet);
    }

    private string HandWritten()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;

        // A doubles on day 2 and falls back on day 3; B's day-2 row is missing and its day-3 market cap is 0.
        File.WriteAllText(Path.Combine(data, "a-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,2,200,0\n2022-01-03 00:00:00 UTC,1,100,0\n");
        File.WriteAllText(Path.Combine(data, "B-USD-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-03 00:00:00 UTC,1,0.0,0\n");
        return data;
    }

    [Fact]
    public void A_hand_written_history_gives_the_hand_computed_result_and_reports_its_gaps()
    {
        // As BacktesterTests: B's missing day 2 takes day 1's close (1), the same as its real price, so the replay is
        // the hand-computed one: rebalances on all three days, turnover 1875, final value 1125.
        var (exit, output, errors) = Run(EqualWeight, HandWritten());

        Assert.Equal((0, string.Empty), (exit, errors));
        var json = JsonNode.Parse(output)!;
        Assert.Equal((3, 1_875m, 0m, 1_125m), ((int)json["rebalances"]!, (decimal)json["turnover"]!, (decimal)json["fees"]!, (decimal)json["finalValue"]!));
        Assert.Equal((1, 1_000m), ((int)json["baselines"]!["buyAndHold"]!["rebalances"]!, (decimal)json["baselines"]!["buyAndHold"]!["finalValue"]!));
        Assert.Equal(
            ["B: 1 day(s) without a price; the previous close was used", "B: 1 day(s) without a market cap; the previous market cap was used"],
            json["issues"]!.AsArray().Select(i => (string)i!));
    }

    [Fact]
    public void A_binance_manifest_pricing_another_market_than_it_trades_is_refused_before_the_replay()
    {
        var pricedElsewhere = EqualWeight.Replace("[{symbol: A}, {symbol: B}]", "[{symbol: A, binancePair: AUSDC}, {symbol: B}]", StringComparison.Ordinal);
        var binance = pricedElsewhere.Replace("exchange: {feeRate: 0%}", "exchange: {kind: binance, feeRate: 0%, credentialsSecretRef: {name: binance-keys}}", StringComparison.Ordinal);
        Assert.NotEqual(pricedElsewhere, binance);

        var data = HandWritten();

        var (exit, output, errors) = Run(binance, data);

        Assert.Equal((ExitCodes.InvalidManifest, string.Empty), (exit, output));
        Assert.Equal(
            "pair: spec.constituents[0].binancePair: a fund trading on Binance trades AUSDT; binancePair AUSDC would price another market: "
                + "omit binancePair: the fund is then priced from the market it trades",
            errors.TrimEnd());
        Assert.Equal(0, Run(pricedElsewhere, data).Exit); // on paper the pair only prices: the replay runs
    }

    [Fact]
    public void Markdown_output_is_a_table_of_the_same_figures()
    {
        var (exit, markdown, errors) = Run(EqualWeight, HandWritten(), output: "markdown");

        Assert.Equal((0, string.Empty), (exit, errors));
        var lines = markdown.Split('\n');
        Assert.Equal("### Backtest pair: 2022-01-01 to 2022-01-03", lines[0]);
        Assert.Equal("| strategy | rebalances | turnover | fees | final value | return | max drawdown | volatility |", lines[2]);
        Assert.StartsWith("| fund rules | 3 | 1875 | 0 | 1125 | 12.5% | ", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("| buy and hold | 1 | ", lines[5], StringComparison.Ordinal);
        Assert.Contains("- data: B: 1 day(s) without a price; the previous close was used", lines);
    }

    [Fact]
    public void Json_output_carries_the_inputs_each_rebalance_with_its_reasons_and_every_days_nav_as_decimal_strings()
    {
        // A doubles on day 2 and falls back on day 3; B stays at 1. Capital 1010, fee 1% per side as the paper exchange
        // charges it (a buy receives 99% of the quantity, a sell 99% of the proceeds), f = 0.99 below.
        var data = Directory.CreateDirectory(Path.Combine(folder, "audit")).FullName;
        File.WriteAllText(Path.Combine(data, "a-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,2,200,0\n2022-01-03 00:00:00 UTC,1,100,0\n");
        File.WriteAllText(Path.Combine(data, "b-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,1,100,0\n2022-01-03 00:00:00 UTC,1,100,0\n");
        var fund = EqualWeight.Replace("capital: 1000", "capital: 1010", StringComparison.Ordinal).Replace("feeRate: 0%", "feeRate: 1%", StringComparison.Ordinal);

        var (exit, output, errors) = Run(fund, data, from: "2021-12-01");
        var again = Run(fund, data, from: "2021-12-01");

        Assert.Equal((0, string.Empty), (exit, errors));
        Assert.Equal(output, again.Out); // byte for byte: an audit can diff two runs

        var json = JsonNode.Parse(output)!.AsObject();

        // Every field the output had before is still there, in its format (figures as JSON numbers).
        Assert.Equal(
            ["fund", "from", "to", "days", "rebalances", "turnover", "fees", "finalValue", "return", "maxDrawdown", "volatility", "baselines", "issues", "inputs", "rebalanceLog", "navSeries"],
            json.Select(p => p.Key));
        Assert.Equal(System.Text.Json.JsonValueKind.Number, json["finalValue"]!.GetValueKind());
        Assert.Equal(3, (int)json["rebalances"]!);

        var inputs = json["inputs"]!;
        Assert.Equal(("1010", "0.01", "spec.exchange.feeRate"), ((string?)inputs["capital"], (string?)inputs["feeRate"], (string?)inputs["feeRateFrom"]));
        Assert.Equal(("2021-12-01", null), ((string?)inputs["requestedFrom"], (string?)inputs["requestedTo"]));
        Assert.Equal(data, (string?)inputs["data"]!["folder"]);
        Assert.Equal(["A:a-usd-max.csv", "B:b-usd-max.csv"], inputs["data"]!["files"]!.AsObject().Select(f => $"{f.Key}:{f.Value!["file"]}"));
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(data, "a-usd-max.csv")))),
            (string?)inputs["data"]!["files"]!["A"]!["sha256"]);
        Assert.Equal("Equal", (string?)inputs["weighting"]!["scheme"]);
        var rules = inputs["rebalance"]!;
        Assert.Equal(
            ("0.1", "0s", "720h", "ToTarget", "0", "0"), // maxInterval: the default, as read
            ((string?)rules["threshold"], (string?)rules["minInterval"], (string?)rules["maxInterval"], (string?)rules["mode"], (string?)rules["minTradeValue"], (string?)rules["cashBuffer"]));

        // Day 1: 505 of each bought, 499.95 received, NAV 999.9. Day 2: A worth 999.9, B 499.95 (66.7% / 33.3%, drift
        // 16.67pp > 10pp): sell s of A, buy B with 0.99 s, receiving 0.99² s, until equal:
        // 999.9 - s = 499.95 + 0.9801 s, s = 499.95 / 1.9801 = 252.48724812; turnover 1.99 s = 502.44962376,
        // fees 0.01 × 1.99 s = 5.02449624, NAV 2 × (999.9 - s) = 1494.82550376. Day 3 (A back to 1): A 373.706…,
        // B 747.41275…, the same sum the other way: s = (747.41275… - 373.706…) / 1.9801, turnover 1.99 s = 375.57481345,
        // fees 3.75574813, NAV 1117.36337969 (2190476940399 / 1960398005 exactly).
        Assert.Equal(
            [
                "2022-01-01|first funding: 1010 in cash to invest|1010|10.1",
                "2022-01-02|A drift +16.67pp exceeds threshold 10pp; B drift -16.67pp exceeds threshold 10pp|502.44962376|5.02449624",
                "2022-01-03|A drift -16.67pp exceeds threshold 10pp; B drift +16.67pp exceeds threshold 10pp|375.57481345|3.75574813",
            ],
            Log(json["rebalanceLog"]!));
        Assert.Equal(["2022-01-01 999.9", "2022-01-02 1494.82550376", "2022-01-03 1117.36337969"], Navs(json["navSeries"]!));
        Assert.All(json["navSeries"]!.AsArray(), p => Assert.Equal(System.Text.Json.JsonValueKind.String, p!["nav"]!.GetValueKind()));

        // Buy and hold: 499.95 of each, never traded again: 2 × 499.95 + 499.95, then back to 999.9.
        var hold = json["baselines"]!["buyAndHold"]!;
        Assert.Equal(["2022-01-01|buy and hold: the first day invests the capital|1010|10.1"], Log(hold["rebalanceLog"]!));
        Assert.Equal(["2022-01-01 999.9", "2022-01-02 1499.85", "2022-01-03 999.9"], Navs(hold["navSeries"]!));

        // Daily trades the same days as the fund here (every drift was past the threshold).
        var daily = json["baselines"]!["daily"]!;
        Assert.Equal(
            ["2022-01-01|daily: back to target every day|1010|10.1", "2022-01-02|daily: back to target every day|502.44962376|5.02449624", "2022-01-03|daily: back to target every day|375.57481345|3.75574813"],
            Log(daily["rebalanceLog"]!));
        Assert.Equal(Navs(json["navSeries"]!), Navs(daily["navSeries"]!));

        static List<string> Log(JsonNode log) => [.. log.AsArray().Select(r =>
            $"{r!["date"]}|{string.Join("; ", r["reasons"]!.AsArray().Select(x => (string?)x))}|{(string?)r["turnover"]}|{(string?)r["fees"]}")];
        static List<string> Navs(JsonNode series) => [.. series.AsArray().Select(p => $"{p!["date"]} {(string?)p["nav"]}")];
    }

    [Fact]
    public void A_fee_given_on_the_command_line_is_named_as_the_fee_rate_used()
    {
        var (exit, output, _) = Run(EqualWeight, HandWritten(), fee: "0.2%");

        Assert.Equal(0, exit);
        var inputs = JsonNode.Parse(output)!["inputs"]!;
        Assert.Equal(("0.002", "--fee"), ((string?)inputs["feeRate"], (string?)inputs["feeRateFrom"]));
    }

    [SharedDataFact]
    public void Ten_assets_over_two_years_of_real_data_replay_with_baselines_and_a_chart()
    {
        var data = SharedData.CoinGeckoDaily;
        var chart = Path.Combine(folder, "nav.svg");

        var (exit, output, errors) = Run(File.ReadAllText(RepositoryPaths.Combine("config", "samples", "top10-marketcap.yaml")), data, chart: chart, from: "2020-09-17");

        Assert.Equal((0, string.Empty), (exit, errors));
        var json = JsonNode.Parse(output)!;
        Assert.Equal("2020-09-17", (string?)json["from"]);
        Assert.Equal("2022-09-10", (string?)json["to"]);
        Assert.InRange((int)json["rebalances"]!, 2, 200);
        Assert.True((decimal)json["finalValue"]! > 0m);
        Assert.True((int)json["baselines"]!["daily"]!["rebalances"]! > (int)json["rebalances"]!);
        Assert.True((decimal)json["baselines"]!["daily"]!["fees"]! > (decimal)json["fees"]!);

        var svg = XDocument.Load(chart);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(3, svg.Descendants(ns + "polyline").Count());
        Assert.Equal((int)json["rebalances"]!, svg.Descendants(ns + "circle").Count());
    }

    [Fact]
    public void A_day_on_two_differing_rows_is_used_from_neither_and_reported_naming_the_file_and_lines()
    {
        // A's day 2 appended again with another price: the last copy used to win (A at 1000 on day 2).
        var data = HandWritten();
        File.AppendAllText(Path.Combine(data, "a-usd-max.csv"), "2022-01-02 00:00:00 UTC,1000,100000,0\n");

        var (exit, output, errors) = Run(EqualWeight, data);

        Assert.Equal((0, string.Empty), (exit, errors));
        var json = JsonNode.Parse(output)!;
        var issues = json["issues"]!.AsArray().Select(i => (string)i!).ToList();
        Assert.Contains("a-usd-max.csv lines 3 and 5: 2022-01-02 appears with different values; neither is used, the day counts as missing", issues);
        Assert.Contains("A: 1 day(s) without a price; the previous close was used", issues);

        // Neither day-2 price: A stays at 1 on day 2, so nothing moved and the fund ends where it started.
        Assert.Equal(1_000m, (decimal)json["finalValue"]!);
    }

    [Fact]
    public void A_day_repeated_with_the_same_values_is_used_once_and_reported()
    {
        var data = HandWritten();
        File.AppendAllText(Path.Combine(data, "a-usd-max.csv"), "2022-01-02 00:00:00 UTC,2,200,0\n");

        var (exit, output, errors) = Run(EqualWeight, data);

        Assert.Equal((0, string.Empty), (exit, errors));
        var json = JsonNode.Parse(output)!;
        Assert.Equal(1_125m, (decimal)json["finalValue"]!); // the hand-computed replay, as without the repeat
        Assert.Contains("a-usd-max.csv line 5: 2022-01-02 repeats line 3 with the same price and market cap; used once", json["issues"]!.AsArray().Select(i => (string)i!));
    }

    [Fact]
    public async Task Every_output_writes_its_dates_the_same_under_a_culture_with_another_calendar()
    {
        // With invariant globalization turned off (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false) under ar-SA, whose calendar
        // is Umm al-Qura, the title and the issues wrote 1443-05-29 for 2022-01-02, so -o json was not the same bytes on
        // every machine. Needs ICU (libicu), which the .NET SDK's Linux images have.
        var data = HandWritten();
        File.AppendAllText(Path.Combine(data, "a-usd-max.csv"), "2022-01-02 00:00:00 UTC,2,200,0\n");
        var manifest = Path.Combine(folder, "fund.yaml");
        File.WriteAllText(manifest, EqualWeight);
        var arabic = new Dictionary<string, string>
        {
            ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "false",
            ["LANG"] = "ar_SA.UTF-8",
            ["LC_ALL"] = "ar_SA.UTF-8",
        };

        foreach (var output in new[] { "json", "table", "markdown" })
        {
            string[] args = ["backtest", "-f", manifest, "--data", data, "--from", "2021-12-01", "-o", output];
            await using var invariant = Testing.CryptoIndexProcess.Start(args);
            await using var local = Testing.CryptoIndexProcess.Start(arabic, args);

            Assert.Equal((0, 0), (await invariant.ExitCodeAsync(), await local.ExitCodeAsync()));
            Assert.Contains("2022-01-02 repeats line 3", invariant.Output, StringComparison.Ordinal);
            Assert.Contains("2022-01-01", invariant.Output, StringComparison.Ordinal);
            Assert.Equal(invariant.Output, local.Output);
        }
    }

    // Rows that agree on price and market cap are the same day, yet they were called different and the day thrown away
    // (A at 1 on day 2, the fund ending at 1000): the same numbers written as another tool writes them (the real btc
    // export has both 1500517590 and 1575032004.0), or another total_volume, which the replay does not use.
    [Theory]
    [InlineData("2022-01-02 00:00:00 UTC,2.0,200.00,0.0")]
    [InlineData("2022-01-02 00:00:00 UTC,2,200,987654")]
    public void A_day_repeated_with_the_same_price_and_market_cap_is_used_once(string repeat)
    {
        var data = HandWritten();
        File.AppendAllText(Path.Combine(data, "a-usd-max.csv"), repeat + "\n");

        var (exit, output, errors) = Run(EqualWeight, data);

        Assert.Equal((0, string.Empty), (exit, errors));
        var json = JsonNode.Parse(output)!;
        Assert.Equal(1_125m, (decimal)json["finalValue"]!); // the hand-computed replay, as without the repeat
        var issues = json["issues"]!.AsArray().Select(i => (string)i!).ToList();
        Assert.Contains("a-usd-max.csv line 5: 2022-01-02 repeats line 3 with the same price and market cap; used once", issues);
        Assert.DoesNotContain(issues, i => i.StartsWith("A:", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_files_for_one_constituent_are_refused_naming_both()
    {
        var data = HandWritten();
        File.WriteAllText(Path.Combine(data, "a-usd-max (1).csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,5,500,0\n");

        var (exit, output, errors) = Run(EqualWeight, data);

        Assert.Equal((ExitCodes.InvalidInput, string.Empty), (exit, output));
        Assert.Equal($"--data: 2 files for constituent A in '{data}': a-usd-max (1).csv, a-usd-max.csv; keep one", errors.TrimEnd());
    }

    [Fact]
    public void A_constituent_without_a_file_exits_2_naming_it()
    {
        var (exit, _, errors) = Run(EqualWeight.Replace("{symbol: B}", "{symbol: ZZZ}", StringComparison.Ordinal), HandWritten());

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("no file zzz-usd-*.csv for constituent ZZZ", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void A_start_after_the_data_says_which_days_the_constituents_share()
    {
        var (exit, _, errors) = Run(EqualWeight, HandWritten(), from: "2022-02-01");

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("the constituents share data only from 2022-01-01 (A starts then) to 2022-01-03; --from 2022-02-01 is after it", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Charts_are_svg_or_png()
    {
        var (exit, _, errors) = Run(EqualWeight, HandWritten(), chart: Path.Combine(folder, "nav.gif"));

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("write a .svg or a .png file", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void A_png_chart_draws_each_strategy_in_its_colour_with_a_legend_and_the_data_attribution()
    {
        var png = Path.Combine(folder, "nav.png");

        var (exit, _, _) = Run(EqualWeight, HandWritten(), chart: png);

        Assert.Equal(0, exit);
        using var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgba32>(png);
        Assert.Equal((960, 420), (image.Width, image.Height));
        var lines = Pixels(image, new SixLabors.ImageSharp.Rectangle(0, PngChart.LegendArea.Bottom, image.Width, image.Height - PngChart.LegendArea.Bottom)).ToHashSet();
        Assert.Contains(new SixLabors.ImageSharp.PixelFormats.Rgba32(31, 119, 180), lines);  // fund rules
        Assert.Contains(new SixLabors.ImageSharp.PixelFormats.Rgba32(127, 127, 127), lines); // buy and hold
        var legend = Pixels(image, PngChart.LegendArea);

        // A swatch per strategy in its line's colour, and label text in the axis colour.
        Assert.Contains(new SixLabors.ImageSharp.PixelFormats.Rgba32(31, 119, 180), legend);
        Assert.Contains(new SixLabors.ImageSharp.PixelFormats.Rgba32(127, 127, 127), legend);
        Assert.Contains(new SixLabors.ImageSharp.PixelFormats.Rgba32(255, 127, 14), legend);
        Assert.True(legend.Count(p => p == new SixLabors.ImageSharp.PixelFormats.Rgba32(60, 60, 60)) > 100, "legend labels");
        Assert.True(Pixels(image, PngChart.TitleArea).Count(p => p == new SixLabors.ImageSharp.PixelFormats.Rgba32(60, 60, 60)) > 100, "title");
        Assert.Equal("EQUAL-WEIGHT: 2024-01-01 TO 2024-01-05", PngChart.TitleText("equal-weight: 2024-01-01 to 2024-01-05"));
        Assert.EndsWith("...", PngChart.TitleText(new string('a', 200)), StringComparison.Ordinal);
        var attributionRow = Enumerable.Range(0, image.Width).Count(x => image[x, image.Height - 10] == new SixLabors.ImageSharp.PixelFormats.Rgba32(119, 119, 119));
        Assert.True(attributionRow > 20, "attribution text");
        Assert.All(PngChart.Labels.Append(PngChart.Attribution).Append("2024-12-31 123456.789"), text => Assert.True(PngChart.CanWrite(text), text));
    }

    private static List<SixLabors.ImageSharp.PixelFormats.Rgba32> Pixels(
        SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgba32> image, SixLabors.ImageSharp.Rectangle area)
    {
        var pixels = new List<SixLabors.ImageSharp.PixelFormats.Rgba32>();
        for (var y = area.Top; y < area.Bottom; y++)
        {
            for (var x = area.Left; x < area.Right; x++)
            {
                pixels.Add(image[x, y]);
            }
        }

        return pixels;
    }

    [Fact]
    public void Leading_days_without_a_market_cap_are_skipped_and_reported()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "caps")).FullName;
        File.WriteAllText(Path.Combine(data, "a-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,1,100,0\n2022-01-03 00:00:00 UTC,1,100,0\n");
        File.WriteAllText(Path.Combine(data, "b-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,0.0,0\n2022-01-02 00:00:00 UTC,1,0.0,0\n2022-01-03 00:00:00 UTC,1,50,0\n");

        var (exit, output, _) = Run(EqualWeight.Replace("weighting: Equal", "weighting: MarketCap", StringComparison.Ordinal), data);

        Assert.Equal(0, exit);
        var json = JsonNode.Parse(output)!;
        Assert.Equal("2022-01-03", (string?)json["from"]);
        // B has prices on those days: only the market cap is missing, and the message says so (it said "no price and market cap").
        Assert.Equal(
            ["start is 2022-01-03, not 2022-01-01: B's first 2 day(s) have a price but no market cap (0 or empty), which market-cap weighting needs"],
            json["issues"]!.AsArray().Select(i => (string)i!));

        var earlier = JsonNode.Parse(Run(EqualWeight.Replace("weighting: Equal", "weighting: MarketCap", StringComparison.Ordinal), data, from: "2021-12-30").Out)!;
        Assert.Equal(
            ["start moved from 2021-12-30 to 2022-01-03: B's file starts on 2022-01-01, and its first 2 day(s) have a price but no market cap (0 or empty), which market-cap weighting needs"],
            earlier["issues"]!.AsArray().Select(i => (string)i!));
    }

    [Fact]
    public void Leading_days_without_a_price_are_named_as_such_and_a_mix_is_counted()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "prices")).FullName;
        File.WriteAllText(Path.Combine(data, "a-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,1,100,0\n2022-01-03 00:00:00 UTC,1,100,0\n2022-01-04 00:00:00 UTC,1,100,0\n");
        File.WriteAllText(Path.Combine(data, "b-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,0,50,0\n2022-01-02 00:00:00 UTC,1,0,0\n2022-01-03 00:00:00 UTC,0,0,0\n2022-01-04 00:00:00 UTC,1,50,0\n");

        var equal = JsonNode.Parse(Run(EqualWeight, data).Out)!;
        var caps = JsonNode.Parse(Run(EqualWeight.Replace("weighting: Equal", "weighting: MarketCap", StringComparison.Ordinal), data).Out)!;

        Assert.Equal("start is 2022-01-02, not 2022-01-01: B's first 1 day(s) have no price (0 or empty)", (string?)equal["issues"]![0]);
        Assert.Equal(
            "start is 2022-01-04, not 2022-01-01: B's first 3 day(s) have no price (0 or empty) on 2 and a price but no market cap (0 or empty) on 1, which market-cap weighting needs",
            (string?)caps["issues"]![0]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
