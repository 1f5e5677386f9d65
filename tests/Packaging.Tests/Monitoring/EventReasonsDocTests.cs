using System.Reflection;
using System.Text.RegularExpressions;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Funds;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>
/// The README's list of Events is the one people filter on (<c>kubectl get events --field-selector reason=…</c>): it names
/// every reason the fund reconciler records and none it never records. The reasons are read from the reconciler's
/// calls of the Event recorder, each argument resolved to its value (a literal, a constant, the reasons a pause or
/// <c>NotReadyAsync</c> passes on), so a new reason is caught here until it is documented.
/// </summary>
public sealed partial class EventReasonsDocTests
{
    private static readonly Assembly OperatorAssembly = typeof(FundReconciler).Assembly;

    [Fact]
    public async Task The_README_lists_every_Event_reason_the_operator_records_and_no_other()
    {
        var emitted = await EmittedReasonsAsync();
        var readme = await File.ReadAllTextAsync(RepositoryPaths.Combine("README.md"));
        var start = readme.IndexOf("Events: `", StringComparison.Ordinal);
        var end = readme.IndexOf("(each told when", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README's Status paragraph should list the Events after \"Events: \"");
        var documented = Backticked().Matches(readme[start..end]).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("RebalanceStarted", emitted); // the scan found the recorder's calls
        Assert.Empty(emitted.Except(documented).Order(StringComparer.Ordinal));
        Assert.Empty(documented.Except(emitted).Order(StringComparer.Ordinal));
    }

    private static async Task<HashSet<string>> EmittedReasonsAsync()
    {
        var folder = RepositoryPaths.Combine("src", "Operator", "Funds");
        var source = string.Concat(await Task.WhenAll(Directory.GetFiles(folder, "*.cs").Order(StringComparer.Ordinal).Select(f => File.ReadAllTextAsync(f))));
        var reasons = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match call in RecorderCall().Matches(source))
        {
            var argument = call.Groups["reason"].Value.Trim();
            var resolved = argument switch
            {
                // ReportPausedAsync tells the pauses a person need not end (the others are told as Warnings by name).
                "pause.Reason" => PauseReasons(),
                // NotReadyAsync records the reason it is given: every one its callers pass.
                "reason" => NotReadyCall().Matches(source).Select(m => Resolve(m.Groups["reason"].Value.Trim())).ToList(),
                _ => [Resolve(argument)],
            };
            reasons.UnionWith(resolved);
        }

        return reasons;
    }

    /// <summary>The reasons of the pauses that end by themselves or by a setting (<see cref="RebalancePause.Stalls"/> false).</summary>
    private static List<string> PauseReasons() =>
        typeof(RebalancePause).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(RebalancePause))
            .Select(f => (RebalancePause)f.GetValue(null)!)
            .Where(p => !p.Stalls)
            .Select(p => p.Reason)
            .ToList();

    /// <summary>A string literal, or a constant named as <c>Type.Name</c> or, within the reconciler, <c>Name</c>.</summary>
    private static string Resolve(string argument)
    {
        if (argument.StartsWith('"'))
        {
            return argument.Trim('"');
        }

        var parts = argument.Split('.');
        var typeName = parts.Length == 2 ? parts[0] : nameof(FundReconciler);
        var type = OperatorAssembly.GetTypes().SingleOrDefault(t => t.Name == typeName)
            ?? throw new Xunit.Sdk.XunitException($"Event reason {argument}: no type {typeName} in the operator");
        var field = type.GetField(parts[^1], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new Xunit.Sdk.XunitException($"Event reason {argument}: {typeName} has no constant {parts[^1]}; teach this test to resolve it");
        return (string)field.GetValue(null)!;
    }

    [GeneratedRegex(@"events\.(?:Normal|Warning)Async\(\s*current,\s*(?<reason>[^,]+),")]
    private static partial Regex RecorderCall();

    [GeneratedRegex(@"NotReadyAsync\(\s*current,\s*fund,\s*(?<reason>[^,]+),")]
    private static partial Regex NotReadyCall();

    [GeneratedRegex("`([A-Za-z]+)`")]
    private static partial Regex Backticked();
}
