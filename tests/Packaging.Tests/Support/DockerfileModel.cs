using System.Text.Json;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>The instructions of the repository's Dockerfile, read as text (no container engine is available).</summary>
public sealed class DockerfileModel
{
    private DockerfileModel(List<(string Instruction, string Arguments)> lines) => Lines = lines;

    public IReadOnlyList<(string Instruction, string Arguments)> Lines { get; }

    public static DockerfileModel Load()
    {
        var text = File.ReadAllText(RepositoryPaths.Combine("Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => (l.Split(' ', 2)[0].ToUpperInvariant(), l.Split(' ', 2)[1].Trim())).ToList();
        return new DockerfileModel(lines);
    }

    public IEnumerable<string> All(string instruction) => Lines.Where(l => l.Instruction == instruction).Select(l => l.Arguments);

    /// <summary>The last value of an exec-form instruction (ENTRYPOINT, CMD).</summary>
    public string[] Exec(string instruction) => JsonSerializer.Deserialize<string[]>(All(instruction).Last())!;

    /// <summary>The images of the stages, in order.</summary>
    public IReadOnlyList<string> Stages => [.. All("FROM").Select(f => f.Split(' ').First(w => !w.StartsWith("--", StringComparison.Ordinal)))];

    /// <summary>ENV of the final stage (KEY=VALUE form).</summary>
    public IReadOnlyDictionary<string, string> FinalEnv
    {
        get
        {
            var final = Lines.ToList().FindLastIndex(l => l.Instruction == "FROM");
            return Lines.Skip(final).Where(l => l.Instruction == "ENV").Select(l => l.Arguments.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        }
    }
}
