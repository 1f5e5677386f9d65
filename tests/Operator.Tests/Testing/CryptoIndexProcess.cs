using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>
/// The <c>cryptoindex</c> executable as a user starts it: its own process in a temporary working folder, never
/// in-cluster; stdout and stderr are collected line by line. <see cref="Sandbox"/> adds what a sandbox run needs.
/// </summary>
internal sealed partial class CryptoIndexProcess : IAsyncDisposable
{
    // How long the process may take to print an expected line or to exit: a failure guard, not a wait.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);
    private readonly Process process;
    private readonly ConcurrentQueue<string> stdout = new();
    private readonly ConcurrentQueue<string> stderr = new();

    private CryptoIndexProcess(Process process, string folder)
    {
        this.process = process;
        Folder = folder;
    }

    public string Folder { get; }

    public string KubeconfigPath => Path.Combine(Folder, "kubeconfig");

    public string Output => string.Join('\n', stdout);

    public string Errors => string.Join('\n', stderr);

    /// <summary>The port of /metrics, read from the sandbox's banner.</summary>
    public int MetricsPort => int.Parse(MetricsLine().Match(Output).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary><c>cryptoindex sandbox</c> on any free ports, its kubeconfig in the process's folder.</summary>
    public static CryptoIndexProcess Sandbox(params string[] args) =>
        Start(folder => ["sandbox", "--port", "0", "--metrics-port", "0", "--kubeconfig", Path.Combine(folder, "kubeconfig"), .. args]);

    public static CryptoIndexProcess Start(params string[] args) => Start(_ => args);

    /// <summary>As <see cref="Start(string[])"/>, with these environment variables set for the process.</summary>
    public static CryptoIndexProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args) => Start(_ => args, environment);

    private static CryptoIndexProcess Start(Func<string, IEnumerable<string>> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var folder = Directory.CreateTempSubdirectory("cryptoindex-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cryptoindex.dll"));
        foreach (var arg in arguments(folder))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("KUBERNETES_SERVICE_HOST"); // never in-cluster, whatever runs the tests
        start.Environment.Remove("KUBECONFIG"); // only what a test gives
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }
        var process = new Process { StartInfo = start };
        var started = new CryptoIndexProcess(process, folder);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { started.stdout.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { started.stderr.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Completes once a line of stdout satisfies <paramref name="match"/>.</summary>
    public async Task WaitForLineAsync(Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!stdout.Any(match))
        {
            if (process.HasExited)
            {
                Assert.Fail($"the process exited ({process.ExitCode}):\n{Output}\n{Errors}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"the process never printed the expected line:\n{Output}\n{Errors}");
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
