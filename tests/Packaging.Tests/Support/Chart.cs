using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>The Helm chart under test and its CI value sets, rendered with the pinned Helm 4 (or Helm 3).</summary>
public static class Chart
{
    public const string Release = "cryptoindex-operator";
    public const string Namespace = "cryptoindex-system";

    public static string Folder => RepositoryPaths.Combine("charts", "cryptoindex-operator");

    /// <summary>The value sets every test renders: the defaults ("") and each ci/*.yaml.</summary>
    public static IReadOnlyList<string> ValueSets { get; } =
        [string.Empty, .. Directory.GetFiles(RepositoryPaths.Combine("charts", "cryptoindex-operator", "ci"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    public static TheoryData<string> ValueSetData()
    {
        var data = new TheoryData<string>();
        foreach (var set in ValueSets)
        {
            data.Add(set);
        }

        return data;
    }

    /// <summary>Arguments selecting a value set and extra --set values.</summary>
    public static List<string> ValueArgs(string valueSet, params string[] sets)
    {
        var args = new List<string>();
        if (valueSet.Length > 0)
        {
            args.AddRange(["-f", Path.Combine(Folder, "ci", valueSet)]);
        }

        foreach (var s in sets)
        {
            args.AddRange(["--set", s]);
        }

        return args;
    }

    public static Task<ToolResult> TryTemplateAsync(string valueSet, string[] sets, string? helm = null, params string[] extra) =>
        Tool.RunAsync(helm ?? Tool.Helm, ["template", Release, Folder, "--namespace", Namespace, .. ValueArgs(valueSet, sets), .. extra]);

    /// <summary>The operator container's environment variables with a value (not valueFrom), by name; a name given twice fails.</summary>
    public static Dictionary<string, string> OperatorEnv(Manifests manifests) =>
        manifests.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .Where(e => e!["value"] is not null)
            .ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!, StringComparer.Ordinal);

    /// <summary>The rendered manifests (asserting success).</summary>
    public static async Task<Manifests> TemplateAsync(string valueSet = "", params string[] sets)
    {
        var result = await TryTemplateAsync(valueSet, sets);
        Assert.True(result.Exit == 0, result.Describe($"helm template ({valueSet})"));
        return Manifests.Parse(result.Out);
    }

    /// <summary>The manifests rendered with the default values and these helm arguments (--set-json, --set-string, …), asserting success.</summary>
    public static async Task<Manifests> TemplateWithAsync(params string[] arguments)
    {
        var result = await TryTemplateAsync(string.Empty, [], null, arguments);
        Assert.True(result.Exit == 0, result.Describe($"helm template {string.Join(' ', arguments)}"));
        return Manifests.Parse(result.Out);
    }
}
