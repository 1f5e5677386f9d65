using System.Text.Encodings.Web;
using System.Text.Json;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Cli;

/// <summary>Exit codes of the commands: scripts and CI jobs branch on them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The manifest is invalid: every error printed names its field.</summary>
    public const int InvalidManifest = 1;

    /// <summary>An input is missing or invalid: a file that is not there (the manifest too), prices, holdings, history, options.</summary>
    public const int InvalidInput = 2;
}

/// <summary>JSON as the commands print it: indented, and with text such as <c>+5pp</c> or <c>&lt;</c> left as written.</summary>
public static class CliJson
{
    // Output for people and scripts, never embedded in HTML: no reason to escape '+', '<' or non-ASCII.
    public static readonly JsonSerializerOptions Output = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>Reads one fund from a manifest file exactly as the operator reads it: same parsing, defaults and validation.</summary>
public static class FundFile
{
    /// <summary>
    /// The fund and its validated definition; else null, the problems written to <paramref name="errors"/>, and the
    /// exit code that fits: <see cref="ExitCodes.InvalidInput"/> for a file that is not there, like any other missing
    /// input, <see cref="ExitCodes.InvalidManifest"/> for one whose content is wrong.
    /// </summary>
    public static (IndexFund? Fund, FundDefinition? Definition, int ExitCode) Load(string path, string? name, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!File.Exists(path))
        {
            errors.WriteLine($"-f: file '{path}' does not exist");
            return (null, null, ExitCodes.InvalidInput);
        }

        var (funds, readError) = ManifestReader.Read(File.ReadAllText(path));
        if (readError is not null)
        {
            errors.WriteLine($"{path}: {readError}");
            return (null, null, ExitCodes.InvalidManifest);
        }

        var fund = name is null ? (funds.Count > 0 ? funds[0] : null) : funds.FirstOrDefault(f => f.Metadata.Name == name);
        if (fund is null && name is null)
        {
            errors.WriteLine($"{path}: no IndexFund in the file");
            return (null, null, ExitCodes.InvalidManifest);
        }

        if (fund is null)
        {
            // The manifest may be fine: the option asks for what it does not hold, an option error like any other.
            var names = funds.Select(f => f.Metadata.Name).OfType<string>().ToList();
            errors.WriteLine($"--name: no IndexFund named '{name}' in {path}" + (names.Count > 0 ? $" (it has {string.Join(", ", names)})" : " (it has none)"));
            return (null, null, ExitCodes.InvalidInput);
        }

        var (definition, problems) = SpecValidator.Validate(fund.Spec);
        foreach (var problem in problems)
        {
            errors.WriteLine($"{fund.Metadata.Name}: {problem}");
        }

        return (fund, definition, definition is null ? ExitCodes.InvalidManifest : ExitCodes.Ok);
    }
}
