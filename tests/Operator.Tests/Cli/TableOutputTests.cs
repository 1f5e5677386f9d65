using CryptoIndex.Operator.Cli;

namespace CryptoIndex.Operator.Tests.Cli;

/// <summary>Table output written to a file or a pipe: every text line whole, so grep on a saved table finds a reason.</summary>
public sealed class TableOutputTests : IDisposable
{
    private static readonly string[] Symbols = ["BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOT", "LINK"];

    private readonly string folder = Directory.CreateTempSubdirectory("table-").FullName;

    private string Write(string name, string content)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Redirected_plan_output_keeps_the_decision_and_all_its_reasons_on_one_line()
    {
        // Eight equal constituents, all the money in BTC: eight drift reasons, a decision line far beyond 160 columns.
        var fund = Write("fund.yaml", "apiVersion: cryptoindex.io/v1alpha1\nkind: IndexFund\nmetadata: {name: eight}\nspec:\n  capital: 10000\n  weighting: Equal\n  constituents:\n"
            + string.Concat(Symbols.Select(s => $"    - {{symbol: {s}}}\n")));
        var prices = Write("prices.json", "{\"observedAt\": \"2022-01-01T00:00:00Z\", \"assets\": {"
            + string.Join(", ", Symbols.Select(s => $"\"{s}\": {{\"price\": \"10\", \"marketCap\": \"1000000\"}}")) + "}}");
        var holdings = Write("holdings.json", "{\"cash\": \"0\", \"quantities\": {\"BTC\": \"1000\"}, \"lastRebalanceAt\": \"2021-12-31T00:00:00Z\", \"constituentsAtLastRebalance\": ["
            + string.Join(", ", Symbols.Select(s => $"\"{s}\"")) + "]}");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(fund, prices, holdings, null, "table", null, stdout, stderr);

        Assert.Equal((0, string.Empty), (exit, stderr.ToString()));
        var lines = stdout.ToString().Split(Environment.NewLine);
        var decision = Assert.Single(lines, l => l.StartsWith("Decision: ", StringComparison.Ordinal));
        Assert.True(decision.Length > 160, decision);
        Assert.EndsWith("; XRP drift -12.5pp exceeds threshold 5pp", decision, StringComparison.Ordinal);
        Assert.Contains("; LINK drift -12.5pp exceeds threshold 5pp;", decision, StringComparison.Ordinal);
        Assert.Contains("BTC drift +87.5pp exceeds threshold 5pp", decision, StringComparison.Ordinal);
        Assert.StartsWith("┌", lines[Array.IndexOf(lines, decision) + 1], StringComparison.Ordinal); // the orders table follows at once
    }

    [Fact]
    public void Redirected_backtest_output_keeps_each_data_issue_on_one_line()
    {
        var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        var longName = "a-usd-" + new string('x', 200) + ".csv";
        File.WriteAllText(Path.Combine(data, longName), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,1,100,0\n2022-01-03 00:00:00 UTC,1,100,0\n");
        File.WriteAllText(Path.Combine(data, "b-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-02 00:00:00 UTC,1,100,0\n2022-01-03 00:00:00 UTC,1,100,0\n");
        var fund = Write("fund.yaml", "apiVersion: cryptoindex.io/v1alpha1\nkind: IndexFund\nmetadata: {name: pair}\nspec:\n  capital: 1000\n  weighting: Equal\n  constituents: [{symbol: A}, {symbol: B}]\n");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = BacktestCommand.Run(fund, data, null, null, null, null, "table", null, stdout, stderr);

        Assert.Equal(0, exit);
        var lines = stdout.ToString().Split(Environment.NewLine);
        Assert.Contains($"data: {longName} line 4: 2022-01-02 repeats line 3 with the same price and market cap; used once", lines);
        Assert.Equal("Data provided by CoinGecko.", lines[^2]);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
