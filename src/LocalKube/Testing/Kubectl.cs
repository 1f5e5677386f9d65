using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace CryptoIndex.LocalKube.Testing;

/// <summary>
/// Runs the pinned kubectl (installed by scripts/install-tools.sh into &lt;repo&gt;/.tools/bin) against a cluster,
/// with its own kubeconfig, discovery cache and HOME, and a timeout on every command.
/// </summary>
public sealed class Kubectl : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    // How long a background command may take to print an expected line or to exit: a failure guard, not a wait.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly string _dir;
    private readonly List<Process> _background = [];

    public Kubectl(LocalKubeCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Cluster = cluster;
        _dir = Directory.CreateTempSubdirectory("kubectl-e2e-").FullName;
        KubeconfigPath = cluster.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
    }

    /// <summary>kubectl against the cluster a kubeconfig file names (one in another process, e.g. the sandbox).</summary>
    public Kubectl(string kubeconfigPath)
    {
        _dir = Directory.CreateTempSubdirectory("kubectl-e2e-").FullName;
        KubeconfigPath = kubeconfigPath;
    }

    /// <summary>The in-process cluster, or null when the kubeconfig names one elsewhere.</summary>
    public LocalKubeCluster? Cluster { get; }

    public string KubeconfigPath { get; }

    public static string Binary
    {
        get
        {
            var path = RepositoryPaths.Combine(".tools", "bin", "kubectl");
            if (!File.Exists(path))
            {
                throw new InvalidOperationException(
                    $"kubectl is not installed at {path}: run scripts/install-tools.sh (test.sh does it) before these end-to-end tests.");
            }

            return path;
        }
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _dir,
        };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(KubeconfigPath);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(_dir, "cache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["HOME"] = _dir;
        psi.Environment.Remove("KUBECONFIG");
        return psi;
    }

    /// <summary>Runs one command to completion (killed after 30 s).</summary>
    public async Task<(int Exit, string Out, string Err)> RunAsync(params string[] args)
    {
        using var p = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("kubectl did not start");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in {CommandTimeout}; stdout: {await stdout}; stderr: {await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Asserts success and returns stdout.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (exit, output, error) = await RunAsync(args);
        if (exit != 0)
        {
            throw new KubectlException($"kubectl {string.Join(' ', args)} exited {exit}\nstdout: {output}\nstderr: {error}{(Cluster is null ? string.Empty : "\nrequests:\n" + Describe(Cluster))}");
        }

        return output;
    }

    /// <summary>Writes a manifest into this kubectl's private folder and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public static string Describe(LocalKubeCluster cluster) =>
        string.Join('\n', cluster.Requests.All.TakeLast(40).Select(r => $"{r.Method} {r.Path}{r.Query} -> {r.StatusCode}"));

    /// <summary>Starts a long-running command (get -w, wait) whose stdout lines can be awaited.</summary>
    public Running Start(params string[] args)
    {
        var p = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("kubectl did not start");
        p.StandardInput.Close();
        _background.Add(p);
        return new Running(p, args);
    }

    public void Dispose()
    {
        foreach (var p in _background)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            p.Dispose();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A killed kubectl may still hold its cache; the temp folder is disposable anyway.
        }
    }

    /// <summary>A background kubectl with its stdout lines in a channel.</summary>
    public sealed class Running
    {
        private readonly Process _process;
        private readonly string[] _args;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly StringBuilder _stderr = new();
        private readonly Task _pump;

        internal Running(Process process, string[] args)
        {
            _process = process;
            _args = args;
            _pump = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    _lines.Writer.TryWrite(line);
                }

                _lines.Writer.TryComplete();
            });
            _ = Task.Run(async () =>
            {
                var err = await process.StandardError.ReadToEndAsync();
                lock (_stderr)
                {
                    _stderr.Append(err);
                }
            });
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        /// <summary>Reads stdout lines until one satisfies <paramref name="match"/>.</summary>
        public async Task<string> LineAsync(Func<string, bool> match)
        {
            using var guard = new CancellationTokenSource(Guard);
            var seen = new List<string>();
            try
            {
                while (true)
                {
                    var line = await _lines.Reader.ReadAsync(guard.Token);
                    seen.Add(line);
                    if (match(line))
                    {
                        return line;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                throw new KubectlException($"kubectl {string.Join(' ', _args)}: no matching line; saw:\n{string.Join('\n', seen)}\nstderr: {Stderr}");
            }
        }

        /// <summary>Waits for exit and returns the exit code and the remaining stdout.</summary>
        public async Task<(int Exit, string Remaining)> ExitAsync()
        {
            using var guard = new CancellationTokenSource(Guard);
            await _process.WaitForExitAsync(guard.Token);
            await _pump;
            var rest = new StringBuilder();
            while (_lines.Reader.TryRead(out var line))
            {
                rest.AppendLine(line);
            }

            return (_process.ExitCode, rest.ToString());
        }
    }
}

/// <summary>A kubectl command failed or did not print what a test waited for.</summary>
public sealed class KubectlException : Exception
{
    public KubectlException()
    {
    }

    public KubectlException(string message)
        : base(message)
    {
    }

    public KubectlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
