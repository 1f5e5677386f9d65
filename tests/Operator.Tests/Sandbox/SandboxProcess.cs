using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CryptoIndex.Operator.Tests.Sandbox;

/// <summary>
/// <c>cryptoindex sandbox</c> as a user starts it: its own process, any free ports, its kubeconfig in a temporary
/// folder; stdout and stderr are collected line by line.
/// </summary>
internal sealed partial class SandboxProcess : IAsyncDisposable
{
    // How long the process may take to print an expected line or to exit: a failure guard, not a wait.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly ConcurrentQueue<string> stdout = new();
    private readonly ConcurrentQueue<string> stderr = new();

    private SandboxProcess(Process process, string folder)
    {
        this.process = process;
        Folder = folder;
    }

    public string Folder { get; }

    public string KubeconfigPath => Path.Combine(Folder, "kubeconfig");

    public string Output => string.Join('\n', stdout);

    public string Errors => string.Join('\n', stderr);

    /// <summary>The port of /metrics, read from the banner.</summary>
    public int MetricsPort => int.Parse(MetricsLine().Match(Output).Groups[1].Value, CultureInfo.InvariantCulture);

    public static SandboxProcess Start(params string[] args)
    {
        var folder = Directory.CreateTempSubdirectory("sandbox-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cryptoindex.dll"));
        start.ArgumentList.Add("sandbox");
        foreach (var arg in new[] { "--port", "0", "--metrics-port", "0", "--kubeconfig", Path.Combine(folder, "kubeconfig") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var sandbox = new SandboxProcess(process, folder);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { sandbox.stdout.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { sandbox.stderr.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sandbox;
    }

    /// <summary>Completes once a line of stdout satisfies <paramref name="match"/>.</summary>
    public async Task WaitForLineAsync(Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!stdout.Any(match))
        {
            if (process.HasExited)
            {
                Assert.Fail($"the sandbox exited ({process.ExitCode}):\n{Output}\n{Errors}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"the sandbox never printed the expected line:\n{Output}\n{Errors}");
            await Task.Delay(50);
        }
    }

    /// <summary>Ctrl+C (SIGINT), then the exit code.</summary>
    public async Task<int> InterruptAsync()
    {
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        return await ExitCodeAsync();
    }

    public async Task<int> ExitCodeAsync()
    {
        using var timeout = new CancellationTokenSource(Guard);
        await process.WaitForExitAsync(timeout.Token);
        process.WaitForExit(); // drains the redirected output
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(Folder, recursive: true);
    }

    [GeneratedRegex(@"metrics\s+http://127\.0\.0\.1:(\d+)/metrics")]
    private static partial Regex MetricsLine();
}
