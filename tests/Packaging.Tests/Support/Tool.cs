using System.Diagnostics;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>The outcome of one command.</summary>
public sealed record ToolResult(int Exit, string Out, string Err)
{
    public string Describe(string what) => $"{what} exited {Exit}\nstdout:\n{Out}\nstderr:\n{Err}";
}

/// <summary>
/// Runs the pinned tools that scripts/install-tools.sh puts in &lt;repo&gt;/.tools/bin. A missing tool fails the test
/// (it is not skipped): test.sh installs them first.
/// </summary>
public static class Tool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static string Path(string name)
    {
        var path = RepositoryPaths.Combine(".tools", "bin", name);
        Assert.True(File.Exists(path), $"{name} is not installed at {path}: run scripts/install-tools.sh (test.sh does it).");
        return path;
    }

    public static string Helm => Path("helm");

    public static string Helm3 => Path("helm3");

    public static string Kubectl => Path("kubectl");

    public static string Promtool => Path("promtool");

    public static string Lua => Path("lua");

    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="workingDirectory"/> (default: the repository).</summary>
    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
        }

        p.StandardInput.Close();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', psi.ArgumentList)} did not finish in {Timeout}");
        }

        return new ToolResult(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and asserts exit code 0; returns stdout.</summary>
    public static async Task<string> OkAsync(string file, params string[] args)
    {
        var result = await RunAsync(file, args);
        Assert.True(result.Exit == 0, result.Describe($"{System.IO.Path.GetFileName(file)} {string.Join(' ', args)}"));
        return result.Out;
    }
}
