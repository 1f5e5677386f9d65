using System.Text.RegularExpressions;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// The chart objects docs/operations.md names with a placeholder (`&lt;release&gt;-…`, `&lt;fullname&gt;-…`) exist under
/// that name for a release not called cryptoindex-operator, where the release and the full name differ: a reader binds
/// or edits exactly the name the doc gives.
/// </summary>
public sealed partial class ChartOperationsDocNamesTests
{
    private const string OtherRelease = "team-a";

    // The chart README's rule: another release name is used as a prefix of the chart name.
    private const string OtherFullname = OtherRelease + "-cryptoindex-operator";

    [Fact]
    public async Task Every_placeholder_name_is_rendered_for_another_release()
    {
        var operations = await File.ReadAllTextAsync(RepositoryPaths.Combine("docs", "operations.md"));
        var documented = PlaceholderName().Matches(operations)
            .SelectMany(m => Names(m.Groups["who"].Value == "release" ? OtherRelease : OtherFullname, m.Groups["rest"].Value, m.Groups["alt"]))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Contains(documented, n => n.EndsWith("-metrics-reader", StringComparison.Ordinal));

        var result = await Tool.RunAsync(Tool.Helm, ["template", OtherRelease, Support.Chart.Folder, "--namespace", Support.Chart.Namespace, "--set", "metrics.secure.enabled=true"]);
        Assert.True(result.Exit == 0, result.Describe("helm template"));
        var rendered = Manifests.Parse(result.Out).Objects.Select(Manifests.Name).ToHashSet(StringComparer.Ordinal);

        var missing = documented.Where(n => !rendered.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"docs/operations.md names {string.Join(", ", missing)} for release {OtherRelease}; the chart renders {string.Join(", ", rendered.Order(StringComparer.Ordinal))}");
    }

    /// <summary>`&lt;x&gt;-indexfund-editor`/`-viewer` names two objects: the second replaces the last word.</summary>
    private static IEnumerable<string> Names(string prefix, string rest, Group alternative)
    {
        var name = $"{prefix}-{rest}";
        yield return name;
        if (alternative.Success)
        {
            yield return name[..name.LastIndexOf('-')] + "-" + alternative.Value;
        }
    }

    [GeneratedRegex(@"`<(?<who>release|fullname)>-(?<rest>[a-z0-9-]+)`(?:/`-(?<alt>[a-z0-9]+)`)?")]
    private static partial Regex PlaceholderName();
}
