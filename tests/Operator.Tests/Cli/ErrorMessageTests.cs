using CryptoIndex.Operator.Cli;

namespace CryptoIndex.Operator.Tests.Cli;

/// <summary>
/// Input errors a user trial found misleading: each is one line naming the file, field or line, and the rule broken.
/// </summary>
public sealed class ErrorMessageTests : IDisposable
{
    private const string Prices = """
        {"observedAt": "2022-01-01T00:00:00Z", "assets": {"BTC": {"price": "50000", "marketCap": "900000000000"}, "ETH": {"price": "2500", "marketCap": "300000000000"}}}
        """;

    private readonly string folder = Directory.CreateTempSubdirectory("errors-").FullName;

    private static string Fund(string capital = "10000", string constituents = "    - {symbol: BTC}\n    - {symbol: ETH}\n") =>
        "apiVersion: cryptoindex.io/v1alpha1\nkind: IndexFund\nmetadata:\n  name: pair\nspec:\n  capital: " + capital
        + "\n  weighting: Equal\n  constituents:\n" + constituents;

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private async Task<(int Exit, string Out, string Err)> PlanAsync(string fund, string prices = Prices, string? holdings = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await PlanCommand.RunAsync(
            Write("fund.yaml", fund), Write("prices.json", prices), holdings is null ? null : Write("holdings.json", holdings), null, "json", null, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("100000000000000000000", "'100000000000000000000' has 21 integer digits")] // beyond a ulong: YAML made it a double, "1E+20 is a floating-point number"
    [InlineData("18446744073709551615", "'18446744073709551615' has 20 integer digits")] // a ulong but not a long: "has the wrong type"
    [InlineData("1234567890123456", "'1234567890123456' has 16 integer digits")] // "is not an amount such as 100000"
    [InlineData("\"100000000000000000000\"", "'100000000000000000000' has 21 integer digits")]
    public async Task A_capital_with_too_many_digits_names_the_rule_of_15_integer_digits(string capital, string start)
    {
        var (exit, output, errors) = await PlanAsync(Fund(capital));

        Assert.Equal((ExitCodes.InvalidManifest, string.Empty), (exit, output));
        Assert.Equal($"pair: spec.capital: {start}: an amount has at most 15 integer digits and 8 decimals, such as 100000 or \"2500.50\"", errors.TrimEnd());
    }

    /// <summary>
    /// A YAML float that is not a whole number reaches the API server as a number with a fraction, which an
    /// int-or-string refuses; the error quotes it as written. So does one beyond a long (1e20), which kubectl also sends
    /// as a float.
    /// </summary>
    [Theory]
    [InlineData("2500.5")]
    [InlineData("2.5E-1")]
    [InlineData("1e20")]
    public async Task A_capital_written_as_a_float_is_quoted_as_written(string capital)
    {
        var (exit, _, errors) = await PlanAsync(Fund(capital));

        Assert.Equal(ExitCodes.InvalidManifest, exit);
        Assert.Contains($"spec.capital: {capital} is a floating-point number", errors, StringComparison.Ordinal);
    }

    /// <summary>
    /// kubectl (sigs.k8s.io/yaml) reads 1e5, 100.0 and 2.5E+3 as floats and sends each as the JSON integer it equals
    /// (100000, 100, 2500), which the API server stores and the operator runs: plan judges the manifest the same way.
    /// </summary>
    [Theory]
    [InlineData("1e5", "100000")]
    [InlineData("100.0", "100")]
    [InlineData("2.5E+3", "2500")]
    public async Task A_capital_written_as_a_whole_float_is_the_integer_kubectl_sends(string capital, string sent)
    {
        var (exit, _, errors) = await PlanAsync(Fund(capital));
        var (funds, readError) = CryptoIndex.Operator.Api.ManifestReader.Read(Fund(capital));

        Assert.Equal((0, string.Empty), (exit, errors));
        Assert.Null(readError);
        Assert.Equal(sent, Assert.Single(funds).Spec.Capital);
    }

    /// <summary>What kubectl sends decides: a whole float is an integer, so it fits an integer field and not a string one.</summary>
    [Fact]
    public async Task A_whole_float_is_an_integer_wherever_it_is_written()
    {
        var (funds, readError) = CryptoIndex.Operator.Api.ManifestReader.Read(Fund() + "  historyLimit: 50.0\n");
        var (exit, _, errors) = await PlanAsync(Fund(constituents: "    - {symbol: BTC, cap: 50.0}\n    - {symbol: ETH}\n"));

        Assert.Null(readError);
        Assert.Equal(50, Assert.Single(funds).Spec.HistoryLimit);
        Assert.Equal(ExitCodes.InvalidManifest, exit);
        Assert.Contains("spec.constituents[0].cap: must be a string", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_capital_with_too_many_decimals_names_the_rule_of_8_decimals()
    {
        var (_, _, errors) = await PlanAsync(Fund("\"1.123456789\""));

        Assert.Equal("pair: spec.capital: '1.123456789' has 9 decimals: an amount has at most 15 integer digits and 8 decimals, such as 100000 or \"2500.50\"", errors.TrimEnd());
    }

    [Fact]
    public async Task A_tab_used_for_indentation_is_reported_on_its_line()
    {
        var (exit, output, errors) = await PlanAsync(Fund(constituents: "\t- {symbol: BTC}\n"));

        Assert.Equal((ExitCodes.InvalidManifest, string.Empty), (exit, output));
        Assert.Equal(
            $"{Path.Combine(folder, "fund.yaml")}: document 1: not valid YAML at line 9, column 1: While scanning a mapping, found invalid tab as indentation: YAML indents with spaces, never tabs",
            errors.TrimEnd());
    }

    [Fact]
    public async Task A_missing_closing_brace_gives_the_parsers_complaint_and_where_the_brace_was_opened()
    {
        // YamlDotNet's scanner fails on this without a message ("Exception during deserialization"; before the duplicate
        // key check caught only YamlException, the command crashed with an InvalidOperationException).
        var (exit, output, errors) = await PlanAsync(Fund(constituents: "    - {symbol: BTC, coinGeckoId: bitcoin\n    - {symbol: ETH}\n"));

        Assert.Equal((ExitCodes.InvalidManifest, string.Empty), (exit, output));
        Assert.Equal(
            $"{Path.Combine(folder, "fund.yaml")}: document 1: not valid YAML at line 10: did not find expected ',' or '}}': the flow mapping opened with '{{' at line 9, column 7 is not closed",
            errors.TrimEnd());
    }

    [Fact]
    public async Task A_missing_closing_bracket_at_the_end_of_the_file_names_the_bracket()
    {
        var (_, _, errors) = await PlanAsync(Fund() + "  rebalance: {threshold: 5%\n");

        Assert.EndsWith("did not find expected ',' or '}': the flow mapping opened with '{' at line 11, column 14 is not closed", errors.TrimEnd(), StringComparison.Ordinal);
        Assert.Single(errors.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task A_truncated_price_file_says_it_ends_before_the_json_is_complete_with_1_based_lines()
    {
        var truncated = "{\"observedAt\": \"2022-01-01T00:00:00Z\",\n \"assets\": {\"BTC\": {\"price\": \"50000\"},\n  \"ETH\": {\"price\": \"2500\"}\n";

        var (exit, output, errors) = await PlanAsync(Fund(), truncated);

        Assert.Equal((ExitCodes.InvalidInput, string.Empty), (exit, output));
        Assert.Equal(
            "--prices: file: the price document is not valid JSON: it ends (line 3) before the JSON is complete: the object opened with '{' at line 2, column 12 is not closed",
            errors.TrimEnd());
        Assert.DoesNotContain("BytePositionInLine", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_syntax_error_inside_a_price_file_is_placed_at_its_1_based_line_and_column()
    {
        var trailingComma = "{\"observedAt\": \"2022-01-01T00:00:00Z\",\n \"assets\": {\"BTC\": {\"price\": \"50000\"}, \"ETH\": {\"price\": \"2500\",}}}\n";
        var cutInAString = "{\"observedAt\": \"2022-01-01T00:00:00Z\", \"assets\": {\"BTC\": {\"price\": \"500";

        var comma = (await PlanAsync(Fund(), trailingComma)).Err.TrimEnd();
        var cut = (await PlanAsync(Fund(), cutInAString)).Err.TrimEnd();

        Assert.Equal("--prices: file: the price document is not valid JSON: line 2, column 64: The JSON object contains a trailing comma at the end which is not supported in this mode", comma);
        Assert.Equal("--prices: file: the price document is not valid JSON: it ends (line 1) before the JSON is complete: the string opened at line 1, column 68 is not closed", cut);
    }

    [Fact]
    public async Task A_truncated_holdings_file_says_it_ends_before_the_json_is_complete()
    {
        var (exit, _, errors) = await PlanAsync(Fund(), holdings: "{\"cash\": \"1000\",\n \"quantities\": {\"BTC\": \"1\"}\n");

        Assert.Equal(ExitCodes.InvalidInput, exit);
        Assert.Equal("--holdings: not valid JSON: it ends (line 2) before the JSON is complete: the object opened with '{' at line 1, column 1 is not closed", errors.TrimEnd());
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
