using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>
/// The dashboard's panels read as what their queries compute: a rate() is shown per second and an increase() as a
/// count, and weights stacked to be read against 100 % are one fund's, never several funds' piled up.
/// </summary>
public sealed partial class DashboardUnitTests
{
    // Grafana's throughput units (per second).
    private static readonly HashSet<string> PerSecond = new(StringComparer.Ordinal) { "ops", "reqps", "rps", "wps", "cps", "eps", "mps", "recps" };

    [Fact]
    public void A_rate_is_shown_per_second_and_an_increase_as_a_count()
    {
        var problems = new List<string>();
        foreach (var panel in Charts())
        {
            var exprs = panel["targets"]!.AsArray().Select(t => (string)t!["expr"]!).ToList();
            var unit = (string?)panel["fieldConfig"]?["defaults"]?["unit"];
            if (exprs.All(e => Rate().IsMatch(e)) && !PerSecond.Contains(unit ?? ""))
            {
                problems.Add($"{panel["title"]}: rate() per second, unit {unit}");
            }

            if (exprs.Any(e => e.Contains("increase(", StringComparison.Ordinal)) && PerSecond.Contains(unit ?? ""))
            {
                problems.Add($"{panel["title"]}: increase() counts, unit {unit}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Weights_stacked_against_100_percent_are_one_funds_each()
    {
        var stacked = Charts()
            .Where(p => (string?)p["fieldConfig"]?["defaults"]?["custom"]?["stacking"]?["mode"] is "normal" or "percent")
            .Where(p => (string?)p["fieldConfig"]?["defaults"]?["unit"] == "percentunit") // shares, read against 100 % (counts may add up)
            .Where(p => p["targets"]!.AsArray().Any(t => ((string)t!["expr"]!).Contains("cryptoindex_fund_", StringComparison.Ordinal)))
            .ToList();

        Assert.NotEmpty(stacked);
        // With several funds selected (All, the default) one panel would pile every fund's weights into one stack.
        Assert.All(stacked, p => Assert.Equal("fund", (string?)p["repeat"]));
    }

    private static IEnumerable<JsonObject> Charts() =>
        Dashboard.Panels(Dashboard.Load()).Where(p => (string?)p["type"] == "timeseries");

    /// <summary>A rate at the top, not inside histogram_quantile (a latency, in seconds).</summary>
    [GeneratedRegex(@"^(?!.*histogram_quantile).*\b(?:i?rate)\(")]
    private static partial Regex Rate();
}
