using System.Text.Json.Nodes;
using CryptoIndex.Operator.Cli;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CryptoIndex.Operator.Tests.Cli;

public sealed class PlanCommandTests : IDisposable
{
    private const string Fund = """
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata: {name: sixty-forty}
        spec:
          capital: 10000
          weighting: Manual
          constituents:
            - {symbol: BTC, coinGeckoId: bitcoin, weight: 60%}
            - {symbol: ETH, coinGeckoId: ethereum, weight: 40%}
          exchange: {feeRate: 0.1%}
        """;

    private const string Prices = """
        {"observedAt": "2022-01-01T00:00:00Z", "assets": {"BTC": {"price": "50000", "marketCap": "900000000000"}, "ETH": {"price": "2500", "marketCap": "300000000000"}}}
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("plan-").FullName;

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<(int Exit, string Out, string Err)> RunAsync(string fund, string prices, string? holdings = null, string output = "json")
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await PlanCommand.RunAsync(Write("fund.yaml", fund), Write("prices.json", prices), holdings is null ? null : Write("holdings.json", holdings), null, output, null, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("table")]
    [InlineData("markdown")]
    public async Task A_coin_priced_below_a_cent_keeps_eight_significant_digits_in_the_tables(string output)
    {
        // At 8 decimal places a price of 0.0000098765432 was shown as 0.00000988: 3 digits, as the status once wrote it.
        var prices = Prices.Replace("\"price\": \"2500\"", "\"price\": \"0.0000098765432\"", StringComparison.Ordinal);
        Assert.NotEqual(Prices, prices);

        var (exit, text, errors) = await RunAsync(Fund, prices, output: output);

        Assert.Equal((0, string.Empty), (exit, errors));
        Assert.Contains("0.0000098765432", text, StringComparison.Ordinal);
        Assert.DoesNotContain("0.00000988", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task First_funding_buys_the_targets_with_fees_grossed_up()
    {
        var (exit, output, errors) = await RunAsync(Fund, Prices);

        Assert.Equal((0, string.Empty), (exit, errors));
        var json = JsonNode.Parse(output)!;
        Assert.Equal([("BTC", 0.6m), ("ETH", 0.4m)], json["targets"]!.AsArray().Select(t => ((string)t!["symbol"]!, (decimal)t["targetWeight"]!)));
        Assert.True((bool)json["decision"]!["rebalance"]!);
        Assert.Equal("first funding: 10000 in cash to invest", (string?)json["decision"]!["reasons"]![0]);

        // 10,000 less 0.1 % of fees leaves 9,990: 5,994 of BTC net, bought as 6,000 gross = 0.12 BTC; ETH 1.6.
        Assert.Equal([("BTC", "Buy", 0.12m, 50_000m), ("ETH", "Buy", 1.6m, 2_500m)],
            json["orders"]!.AsArray().Select(o => ((string)o!["symbol"]!, (string)o["side"]!, (decimal)o["quantity"]!, (decimal)o["price"]!)));
        Assert.Equal(10_000m, (decimal)json["turnover"]!);
        Assert.Equal(10m, (decimal)json["estimatedFees"]!);
        Assert.Equal((10_000m, 0m, 1m), ((decimal)json["cash"]!["value"]!, (decimal)json["cash"]!["targetWeight"]!, (decimal)json["cash"]!["currentWeight"]!));
    }

    [Fact]
    public async Task A_key_twice_in_the_prices_or_the_holdings_is_refused_naming_it()
    {
        // The second "BTC" used to win: BTC at 1.
        var prices = Prices.Replace("}}", """}, "BTC": {"price": "1", "marketCap": "1"}}""", StringComparison.Ordinal);
        var holdings = """{"cash": "0", "quantities": {"BTC": "0.12", "ETH": "1.6", "BTC": "5"}}""";

        var (pricesExit, pricesOutput, pricesErrors) = await RunAsync(Fund, prices);
        var (holdingsExit, holdingsOutput, holdingsErrors) = await RunAsync(Fund, Prices, holdings);

        Assert.Equal((ExitCodes.InvalidInput, string.Empty), (pricesExit, pricesOutput));
        Assert.StartsWith("--prices: ", pricesErrors, StringComparison.Ordinal);
        Assert.Contains("'BTC'", pricesErrors, StringComparison.Ordinal);
        Assert.Equal((ExitCodes.InvalidInput, string.Empty), (holdingsExit, holdingsOutput));
        Assert.StartsWith("--holdings: ", holdingsErrors, StringComparison.Ordinal);
        Assert.Contains("'BTC'", holdingsErrors, StringComparison.Ordinal);
        Assert.Single(pricesErrors.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task A_key_twice_in_the_manifest_is_refused_naming_it_and_its_line_as_kubectl_does()
    {
        // The second capital used to win: a fund of 50000 planned from a manifest that also says 10000.
        var (exit, output, errors) = await RunAsync(Fund.Replace("  weighting: Manual\n", "  weighting: Manual\n  capital: 50000\n", StringComparison.Ordinal), Prices);
        var (inListExit, _, inListErrors) = await RunAsync(Fund.Replace("{symbol: ETH,", "{symbol: ETH, symbol: SOL,", StringComparison.Ordinal), Prices);

        Assert.Equal((ExitCodes.InvalidManifest, string.Empty), (exit, output));
        Assert.EndsWith("fund.yaml: document 1: line 7: mapping key \"capital\" already defined at line 5", errors.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidManifest, inListExit);
        Assert.EndsWith("fund.yaml: document 1: line 9: mapping key \"symbol\" already defined at line 9", inListErrors.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2021-12-31T12:30:00Z", "2021-12-31T12:30:00+00:00")]
    [InlineData("2021-12-31T13:30:00+01:00", "2021-12-31T12:30:00+00:00")]
    [InlineData("2021-12-31T12:30:00.5z", "2021-12-31T12:30:00.5000000+00:00")]
    public void A_time_with_its_offset_is_read_as_written(string text, string expected)
    {
        var (time, error) = PlanInputs.ParseTime(text, "--now");

        Assert.Null(error);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), time);
    }

    [Theory]
    [InlineData("2021-12-31T12:30:00", "--now: '2021-12-31T12:30:00' has no UTC offset; write the time with one, such as 2021-12-31T12:30:00Z (Z for UTC) or 2021-12-31T13:30:00+01:00")]
    [InlineData("2021-12-31", "--now: '2021-12-31' has no UTC offset; write the time with one, such as 2021-12-31T12:30:00Z (Z for UTC) or 2021-12-31T13:30:00+01:00")]
    [InlineData("yesterday", "--now: 'yesterday' is not a time with a UTC offset such as 2021-12-31T12:30:00Z")]
    [InlineData("12/31/2021 12:30 +00:00", "--now: '12/31/2021 12:30 +00:00' is not a time with a UTC offset such as 2021-12-31T12:30:00Z")]
    [InlineData("2021-02-30T00:00:00Z", "--now: '2021-02-30T00:00:00Z' is not a time with a UTC offset such as 2021-12-31T12:30:00Z")]
    public void A_time_without_an_offset_or_not_a_time_is_refused_naming_the_expected_form(string text, string expected)
    {
        // Read in the machine's time zone, 12:30 was a different instant on every machine, and so was the decision.
        Assert.Equal((null, expected), PlanInputs.ParseTime(text, "--now"));
    }

    [Fact]
    public async Task The_same_plan_comes_out_in_every_time_zone_and_a_time_without_an_offset_is_refused_in_each()
    {
        // Held back 30 minutes after the last rebalance (minInterval 1h), in every zone; with local times it was held
        // back in some zones and traded in others.
        var fund = Write("fund.yaml", Fund);
        var prices = Write("prices.json", Prices.Replace("2022-01-01T00:00:00Z", "2021-12-31T12:25:00Z", StringComparison.Ordinal));
        var holdings = Write("holdings.json", """{"cash": "0", "quantities": {"BTC": "0.2", "ETH": "1"}, "lastRebalanceAt": "2021-12-31T12:00:00Z"}""");
        var plans = new List<string>();
        foreach (var zone in new[] { "UTC", "Asia/Tokyo", "America/New_York" })
        {
            var environment = new Dictionary<string, string> { ["TZ"] = zone };
            await using (var plan = Testing.CryptoIndexProcess.Start(environment, "plan", "-f", fund, "--prices", prices, "--holdings", holdings, "--now", "2021-12-31T12:30:00Z", "-o", "json"))
            {
                Assert.Equal(0, await plan.ExitCodeAsync());
                plans.Add(plan.Output);
            }

            await using var local = Testing.CryptoIndexProcess.Start(environment, "plan", "-f", fund, "--prices", prices, "--holdings", holdings, "--now", "2021-12-31T12:30:00", "-o", "json");
            Assert.Equal(ExitCodes.InvalidInput, await local.ExitCodeAsync());
            Assert.Equal((string.Empty, "--now: '2021-12-31T12:30:00' has no UTC offset; write the time with one, such as 2021-12-31T12:30:00Z (Z for UTC) or 2021-12-31T13:30:00+01:00"),
                (local.Output, local.Errors));
        }

        Assert.Single(plans.Distinct());
        Assert.Contains("only 30m since the last rebalance", plans[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-o yaml", "--output: 'yaml' is not one of table, json, markdown")]
    [InlineData("--now yesterday", "--now: 'yesterday' is not a time with a UTC offset such as 2021-12-31T12:30:00Z")]
    [InlineData("--bogus", "Unrecognized command or argument '--bogus'.")]
    [InlineData("--now", "--now needs a value: The time to decide at, with its UTC offset, e.g. 2021-12-31T12:30:00Z (default: the prices' time).")]
    public async Task A_usage_error_is_one_line_on_stderr_naming_the_option_with_nothing_on_stdout_and_exit_2(string options, string expected)
    {
        // The help text went to stdout: `plan ... -o yaml > plan.json` left it in plan.json.
        await using var plan = Testing.CryptoIndexProcess.Start(
            ["plan", "-f", Write("fund.yaml", Fund), "--prices", Write("prices.json", Prices), .. options.Split(' ')]);

        Assert.Equal((ExitCodes.InvalidInput, string.Empty, expected), (await plan.ExitCodeAsync(), plan.Output, plan.Errors));
    }

    [Fact]
    public async Task A_missing_required_option_is_one_line_on_stderr_with_exit_2()
    {
        await using var plan = Testing.CryptoIndexProcess.Start("plan", "--prices", Write("prices.json", Prices));
        await using var backtest = Testing.CryptoIndexProcess.Start("backtest", "-f", Write("fund.yaml", Fund), "--data", folder, "--from", "2022-13-01");

        Assert.Equal((ExitCodes.InvalidInput, string.Empty, "-f/--file is required: The fund manifest (YAML)."), (await plan.ExitCodeAsync(), plan.Output, plan.Errors));
        Assert.Equal((ExitCodes.InvalidInput, string.Empty, "--from: '2022-13-01' is not a date such as 2022-03-01"), (await backtest.ExitCodeAsync(), backtest.Output, backtest.Errors));
    }

    [Fact]
    public async Task A_name_the_file_does_not_hold_is_an_option_error_exit_2_naming_the_funds_it_has()
    {
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(Write("fund.yaml", Fund), Write("prices.json", Prices), null, "nope", "json", null, TextWriter.Null, stderr);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.EndsWith("fund.yaml (it has sixty-forty)", stderr.ToString().TrimEnd(), StringComparison.Ordinal);
        Assert.StartsWith("--name: no IndexFund named 'nope' in ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_last_rebalance_without_an_offset_is_refused_naming_the_field()
    {
        var holdings = """{"cash": "0", "quantities": {"BTC": "0.12", "ETH": "1.6"}, "lastRebalanceAt": "2021-12-31T12:00:00"}""";

        var (exit, output, errors) = await RunAsync(Fund, Prices, holdings);

        Assert.Equal((ExitCodes.InvalidInput, string.Empty), (exit, output));
        Assert.Equal("--holdings: lastRebalanceAt: '2021-12-31T12:00:00' has no UTC offset; write the time with one, such as 2021-12-31T12:30:00Z (Z for UTC) or 2021-12-31T13:30:00+01:00", errors.TrimEnd());
    }

    [Fact]
    public async Task Deciding_before_the_last_rebalance_is_refused()
    {
        var holdings = """{"cash": "0", "quantities": {"BTC": "0.2", "ETH": "1"}, "lastRebalanceAt": "2021-12-31T12:00:00Z"}""";
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(Write("fund.yaml", Fund), Write("prices.json", Prices), Write("holdings.json", holdings), null, "json",
            new DateTimeOffset(2021, 12, 31, 3, 30, 0, TimeSpan.Zero), stdout, stderr);
        var (pricesExit, _, pricesErrors) = await RunAsync(Fund, Prices, holdings.Replace("2021-12-31T12", "2022-01-02T12", StringComparison.Ordinal));

        Assert.Equal((ExitCodes.InvalidInput, string.Empty), (exit, stdout.ToString()));
        Assert.Equal("--now 2021-12-31T03:30:00Z is before the holdings' lastRebalanceAt 2021-12-31T12:00:00Z: give a time at or after it", stderr.ToString().TrimEnd());
        Assert.Equal(ExitCodes.InvalidInput, pricesExit);
        Assert.Equal("--prices: observed at 2022-01-01T00:00:00Z, before the holdings' lastRebalanceAt 2022-01-02T12:00:00Z: give newer prices, or --now", pricesErrors.TrimEnd());
    }

    [Fact]
    public async Task Prices_older_than_the_funds_max_age_at_now_are_stale_and_the_operator_would_not_trade()
    {
        // A month after the prices (maxAge 10m by default): the plan used to rebalance, with orders.
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await PlanCommand.RunAsync(Write("fund.yaml", Fund), Write("prices.json", Prices), null, null, "json",
            new DateTimeOffset(2022, 2, 1, 0, 0, 0, TimeSpan.Zero), stdout, stderr);
        using var table = new StringWriter();
        await PlanCommand.RunAsync(Write("fund.yaml", Fund), Write("prices.json", Prices), null, null, "table",
            new DateTimeOffset(2022, 2, 1, 0, 0, 0, TimeSpan.Zero), table, TextWriter.Null);
        var fresh = await PlanCommand.RunAsync(Write("fund.yaml", Fund), Write("prices.json", Prices), null, null, "json",
            new DateTimeOffset(2022, 1, 1, 0, 10, 0, TimeSpan.Zero), TextWriter.Null, TextWriter.Null);

        Assert.Equal((0, string.Empty), (exit, stderr.ToString()));
        var json = JsonNode.Parse(stdout.ToString())!;
        Assert.False((bool)json["decision"]!["rebalance"]!);
        Assert.Equal("prices stale: BTC (744h old, maxAge 10m), ETH (744h old, maxAge 10m)", (string?)json["decision"]!["stale"]);
        Assert.Empty(json["orders"]!.AsArray());
        Assert.Contains("Decision: no rebalance: prices stale: BTC (744h old, maxAge 10m), ETH (744h old, maxAge 10m)\nPricesStale: the operator would not trade on these prices", table.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Equal(0, fresh); // exactly maxAge old is not stale, as in the operator
    }

    [Fact]
    public async Task Prices_observed_after_now_are_refused_as_the_operator_refuses_prices_from_the_future()
    {
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(Write("fund.yaml", Fund), Write("prices.json", Prices), null, null, "json",
            new DateTimeOffset(2021, 12, 1, 0, 0, 0, TimeSpan.Zero), TextWriter.Null, stderr);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.StartsWith("--prices: BTC from file: observed at 2022-01-01T00:00:00.0000000+00:00, in the future (after --now 2021-12-01T00:00:00Z)", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dry_run_note_comes_only_with_orders()
    {
        var dryRun = Fund.Replace("  exchange: {feeRate: 0.1%}", "  exchange: {feeRate: 0.1%}\n  dryRun: true", StringComparison.Ordinal);
        var onTarget = """{"cash": "0", "quantities": {"BTC": "0.12", "ETH": "1.6"}, "lastRebalanceAt": "2021-12-31T00:00:00Z", "constituentsAtLastRebalance": ["BTC", "ETH"]}""";

        var (_, quiet, _) = await RunAsync(dryRun, Prices, onTarget);
        var (_, funding, _) = await RunAsync(dryRun, Prices);

        Assert.Null((string?)JsonNode.Parse(quiet)!["decision"]!["note"]);
        Assert.Equal("dryRun: the operator would record these orders, not send them", (string?)JsonNode.Parse(funding)!["decision"]!["note"]);
    }

    [Fact]
    public async Task Holdings_on_target_need_no_rebalance()
    {
        var holdings = """{"cash": "0", "quantities": {"BTC": "0.12", "ETH": "1.6"}, "lastRebalanceAt": "2021-12-31T00:00:00Z", "constituentsAtLastRebalance": ["BTC", "ETH"]}""";

        var (exit, output, _) = await RunAsync(Fund, Prices, holdings);

        var json = JsonNode.Parse(output)!;
        Assert.Equal(0, exit);
        Assert.False((bool)json["decision"]!["rebalance"]!);
        Assert.Empty(json["orders"]!.AsArray());
    }

    [Fact]
    public async Task An_invalid_manifest_exits_1_with_every_error_naming_its_field()
    {
        var (exit, output, errors) = await RunAsync(Fund.Replace("weight: 40%", "weight: 30%", StringComparison.Ordinal).Replace("capital: 10000", "capital: 0", StringComparison.Ordinal), Prices);

        Assert.Equal(ExitCodes.InvalidManifest, exit);
        Assert.Empty(output);
        Assert.Contains("sixty-forty: spec.capital: capital must be greater than 0", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_binance_manifest_pricing_another_market_than_it_trades_exits_1_and_the_same_on_paper_is_planned()
    {
        var paper = Fund.Replace("{symbol: ETH, coinGeckoId: ethereum, weight: 40%}", "{symbol: ETH, coinGeckoId: ethereum, binancePair: ETHUSDC, weight: 40%}", StringComparison.Ordinal);
        var binance = paper.Replace("exchange: {feeRate: 0.1%}", "exchange: {kind: binance, feeRate: 0.1%, credentialsSecretRef: {name: binance-keys}}", StringComparison.Ordinal);
        Assert.NotEqual(paper, binance);

        var refused = await RunAsync(binance, Prices);
        var planned = await RunAsync(paper, Prices);

        Assert.Equal((ExitCodes.InvalidManifest, string.Empty), (refused.Exit, refused.Out));
        Assert.Equal(
            "sixty-forty: spec.constituents[1].binancePair: a fund trading on Binance trades ETHUSDT; binancePair ETHUSDC would price another market: "
                + "omit binancePair: the fund is then priced from the market it trades",
            refused.Err.TrimEnd());
        Assert.Equal((0, string.Empty), (planned.Exit, planned.Err));
        Assert.Equal(2, JsonNode.Parse(planned.Out)!["orders"]!.AsArray().Count);
    }

    [Fact]
    public async Task Misspelled_fields_are_refused_as_kubectl_apply_refuses_them()
    {
        var typos = Fund
            .Replace("weighting: Manual", "weigthing: Manual", StringComparison.Ordinal)
            .Replace("weight: 40%", "wieght: 40%", StringComparison.Ordinal)
            .Replace("exchange: {feeRate: 0.1%}", "exchange: {feeRate: 0.1%}\n  rebalance: {treshold: 5%}", StringComparison.Ordinal);

        var (exit, output, errors) = await RunAsync(typos, Prices);

        Assert.Equal(ExitCodes.InvalidManifest, exit);
        Assert.Empty(output);
        Assert.Contains("unknown field \"spec.weigthing\", unknown field \"spec.constituents[1].wieght\", unknown field \"spec.rebalance.treshold\"", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_is_named_by_its_field_and_what_it_should_be()
    {
        var (exit, _, errors) = await RunAsync(Fund.Replace("exchange: {feeRate: 0.1%}", "exchange: {feeRate: 0.1%}\n  assetCap: 25", StringComparison.Ordinal), Prices);

        Assert.Equal(ExitCodes.InvalidManifest, exit);
        Assert.Contains("spec.assetCap: must be a string (", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("System.String", errors, StringComparison.Ordinal);

        var (_, _, tooLarge) = await RunAsync(Fund + "\n  historyLimit: 99999999999999", Prices);
        Assert.Contains("spec.historyLimit: must be an integer from 1 to 500", tooLarge, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_that_is_not_there_exits_2_like_any_missing_input()
    {
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(Path.Combine(folder, "nowhere.yaml"), Write("prices.json", Prices), null, null, "json", null, TextWriter.Null, stderr);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("-f: file '", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_floating_point_number_is_refused_naming_its_field()
    {
        var (exit, _, errors) = await RunAsync(Fund.Replace("weight: 40%}", "weight: 40%, cap: 0.25}", StringComparison.Ordinal), Prices);

        Assert.Equal(ExitCodes.InvalidManifest, exit);
        Assert.Contains("spec.constituents[1].cap: 0.25 is a floating-point number", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_exported_from_a_cluster_reads_as_its_spec_whatever_its_status_holds()
    {
        // Status is a subresource: the API server ignores it on writes, and so does plan (a newer CRD may add fields).
        var exported = Fund.Replace("metadata: {name: sixty-forty}", "metadata: {name: sixty-forty, managedFields: [{manager: kubectl}]}", StringComparison.Ordinal)
            + "\nstatus: {nav: \"10000\", fieldFromANewerOperator: 1, rebalanceInProgress: true}\n";

        var (exit, _, errors) = await RunAsync(exported, Prices);

        Assert.Equal((0, string.Empty), (exit, errors));
    }

    [Fact]
    public async Task A_misspelled_holdings_field_is_refused_not_read_as_no_holdings()
    {
        var holdings = """{"cash": "1000", "quantity": {"BTC": "0.12"}, "lastRebalanceAt": "2021-12-31T00:00:00Z"}""";

        var (exit, output, errors) = await RunAsync(Fund, Prices, holdings);

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Empty(output);
        Assert.Contains("--holdings: unknown field \"quantity\"; the fields are cash, quantities, lastRebalanceAt, constituentsAtLastRebalance", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_asset_that_left_the_index_is_priced_from_the_file_and_sold()
    {
        var holdings = """{"cash": "0", "quantities": {"BTC": "0.12", "ETH": "1.6", "DOGE": "1000"}, "lastRebalanceAt": "2021-12-31T00:00:00Z", "constituentsAtLastRebalance": ["BTC", "ETH", "DOGE"]}""";
        var prices = Prices.Replace("}}}", "}, \"DOGE\": {\"price\": \"0.17\"}}}", StringComparison.Ordinal);

        var (exit, output, errors) = await RunAsync(Fund, prices, holdings);

        Assert.Equal((0, string.Empty), (exit, errors));
        var json = JsonNode.Parse(output)!;
        Assert.Equal(10_170m, (decimal)json["nav"]!);
        Assert.Contains(json["orders"]!.AsArray(), o => (string?)o!["symbol"] == "DOGE" && (string?)o["side"] == "Sell" && (decimal)o["quantity"]! == 1_000m);

        var (missingExit, _, missing) = await RunAsync(Fund, Prices, holdings);
        Assert.Equal(ExitCodes.InvalidInput, missingExit);
        Assert.Contains("DOGE from file: not in the price document", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_keeps_signs_and_symbols_as_written()
    {
        var holdings = """{"cash": "0", "quantities": {"BTC": "0.2", "ETH": "0.8"}, "lastRebalanceAt": "2021-12-31T00:00:00Z", "constituentsAtLastRebalance": ["BTC", "ETH"]}""";

        var (_, output, _) = await RunAsync(Fund, Prices, holdings);

        Assert.Contains("+", output, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_price_exits_2_naming_the_asset()
    {
        var (exit, _, errors) = await RunAsync(Fund, Prices.Replace("\"ETH\"", "\"XRP\"", StringComparison.Ordinal));

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Contains("ETH from file: not in the price document", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_output_is_ready_for_a_pull_request_comment()
    {
        var (exit, output, _) = await RunAsync(Fund, Prices, output: "markdown");

        Assert.Equal(0, exit);
        Assert.StartsWith("### Plan for `sixty-forty`: NAV 10000", output, StringComparison.Ordinal);
        Assert.Contains("| 1 | Buy | 0.12 | BTC | 50000 | 6000 | 6 |", output, StringComparison.Ordinal);
        Assert.Contains("| BTC | 50000 | 60% | 0% | -60pp |", output, StringComparison.Ordinal);
        Assert.Contains("| cash | | 0% | 100% | +100pp |", output, StringComparison.Ordinal); // the weights add up with it
    }

    [Fact]
    public async Task The_table_shows_targets_decision_and_orders()
    {
        var (exit, output, _) = await RunAsync(Fund, Prices, output: "table");

        Assert.Equal(0, exit);
        Assert.Contains("Decision: rebalance: first funding", output, StringComparison.Ordinal);
        Assert.Matches(@"│ cash +│ +│ 0% +│ 100% +│ \+100pp +│", output);
        Assert.Contains("Turnover 10000, estimated fees 10", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_prices_come_from_CoinGecko_through_the_operators_source()
    {
        // A local server answering like CoinGecko's /simple/price.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/api/v3/simple/price", () => Results.Text(
            """{"bitcoin": {"usd": 50000, "usd_market_cap": 900000000000}, "ethereum": {"usd": 2500, "usd_market_cap": 300000000000}}""", "application/json"));
        await app.StartAsync();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(
            Write("fund.yaml", Fund), null, null, null, "json", null, stdout, stderr, "coingecko", new Uri(app.Urls.First() + "/api/v3"));

        // Written without its trailing slash, the base keeps its last segment: /api/v3/simple/price, not /api/simple/price.
        Assert.Equal((0, string.Empty), (exit, stderr.ToString()));
        Assert.Equal([0.12m, 1.6m], JsonNode.Parse(stdout.ToString())!["orders"]!.AsArray().Select(o => (decimal)o!["quantity"]!));
    }

    [Theory]
    [InlineData("localhost:8080/api/v3/", "--coingecko-url must be an absolute http(s) URL such as https://api.coingecko.com/api/v3/, not 'localhost:8080/api/v3/'")]
    [InlineData("ftp://user:token@proxy/", "--coingecko-url must be an absolute http(s) URL such as https://api.coingecko.com/api/v3/, not 'ftp://***@proxy/'")]
    public async Task A_coingecko_url_that_is_not_http_is_refused_naming_the_option(string url, string message)
    {
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(Write("fund.yaml", Fund), null, null, null, "json", null, TextWriter.Null, stderr, "coingecko", new Uri(url, UriKind.RelativeOrAbsolute));

        Assert.Equal((ExitCodes.InvalidInput, message), (exit, stderr.ToString().Trim()));
    }

    [Fact]
    public async Task Prices_must_come_from_exactly_one_place()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(Write("fund.yaml", Fund), Write("prices.json", Prices), null, null, "json", null, stdout, stderr, "coingecko");

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Equal("give prices with either --prices FILE or --provider coingecko", stderr.ToString().Trim());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
