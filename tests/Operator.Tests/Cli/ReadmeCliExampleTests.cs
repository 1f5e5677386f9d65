using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Cli;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Cli;

/// <summary>
/// The README's <c>plan</c> and <c>backtest</c> examples, run as written: the tables it shows are what the commands
/// print today, so a change to the planner, the samples or the output format cannot leave stale numbers there.
/// </summary>
public sealed class ReadmeCliExampleTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("readme-cli-").FullName;
    private readonly string readme = File.ReadAllText(RepositoryPaths.Combine("README.md")).ReplaceLineEndings("\n");

    [Fact]
    public async Task The_plan_example_prints_the_table_the_readme_shows()
    {
        var prices = Path.Combine(folder, "prices.json");
        File.WriteAllText(prices, Between("cat > /tmp/prices.json <<'JSON'\n", "\nJSON\n"));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = await PlanCommand.RunAsync(
            RepositoryPaths.Combine("config", "samples", "manual.yaml"), prices, null, null, "table", null, stdout, stderr);

        Assert.Equal((0, string.Empty), (exit, stderr.ToString()));
        Assert.Equal(OutputShownAfter("-- plan -f config/samples/manual.yaml --prices /tmp/prices.json\n"), Lines(stdout.ToString()));
    }

    [SharedDataFact]
    public void The_backtest_example_prints_the_table_the_readme_shows()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exit = BacktestCommand.Run(
            RepositoryPaths.Combine("config", "samples", "top10-marketcap.yaml"), SharedData.CoinGeckoDaily, null,
            new DateOnly(2020, 9, 17), null, null, "table", null, stdout, stderr);

        Assert.Equal((0, string.Empty), (exit, stderr.ToString()));
        Assert.Equal(OutputShownAfter("--from 2020-09-17 --chart nav.svg"), Lines(stdout.ToString()));
    }

    /// <summary>The README text between two markers, the first of which must occur once.</summary>
    private string Between(string start, string end)
    {
        var from = Once(start) + start.Length;
        return readme[from..readme.IndexOf(end, from, StringComparison.Ordinal)];
    }

    /// <summary>The output block the README shows right after the command block containing <paramref name="command"/>.</summary>
    private string[] OutputShownAfter(string command)
    {
        const string CommandThenOutput = "\n```\n```\n";
        var block = readme.IndexOf(CommandThenOutput, Once(command), StringComparison.Ordinal) + CommandThenOutput.Length;
        return Lines(readme[block..readme.IndexOf("\n```\n", block, StringComparison.Ordinal)]);
    }

    private int Once(string text)
    {
        var at = readme.IndexOf(text, StringComparison.Ordinal);
        Assert.True(at >= 0 && readme.IndexOf(text, at + 1, StringComparison.Ordinal) < 0, $"README has '{text}' once");
        return at;
    }

    // Trailing spaces (the centred title's padding) are not part of what a reader compares.
    private static string[] Lines(string text) => [.. text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').Select(l => l.TrimEnd())];

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
