using System.Net;
using System.Net.Sockets;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Sandbox;

/// <summary>
/// The sandbox writes its kubeconfig at start and deletes it at stop, so it must never take a file it did not write:
/// a real cluster's kubeconfig given to <c>--kubeconfig</c>, or the one of a sandbox still running on the same path.
/// </summary>
public sealed class SandboxKubeconfigTests
{
    private const string RealClusters = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster: {server: "https://prod.example:6443"}
        users:
        - name: admin
          user: {token: not-a-sandbox}
        contexts: []

        """;

    [Fact]
    public async Task A_kubeconfig_that_is_not_a_sandboxs_is_refused_and_left_as_it_was()
    {
        var folder = Directory.CreateTempSubdirectory("cryptoindex-kubeconfig-").FullName;
        try
        {
            var path = Path.Combine(folder, "config");
            await File.WriteAllTextAsync(path, RealClusters);

            await using var sandbox = CryptoIndexProcess.Start("sandbox", "--port", "0", "--metrics-port", "0", "--kubeconfig", path, "--no-samples", "--duration", "1h");

            Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await sandbox.ExitCodeAsync());
            Assert.Contains($"sandbox: --kubeconfig: {path} already exists and is not a sandbox's kubeconfig", sandbox.Errors, StringComparison.Ordinal);
            Assert.Equal(RealClusters, await File.ReadAllTextAsync(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_second_sandbox_on_the_kubeconfig_of_a_running_one_is_refused()
    {
        await using var first = CryptoIndexProcess.Sandbox("--no-samples");
        await first.WaitForLineAsync(l => l.StartsWith("Ctrl+C stops.", StringComparison.Ordinal));
        var written = await File.ReadAllTextAsync(first.KubeconfigPath);

        await using (var second = CryptoIndexProcess.Start("sandbox", "--port", "0", "--metrics-port", "0", "--kubeconfig", first.KubeconfigPath, "--no-samples", "--duration", "1h"))
        {
            Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await second.ExitCodeAsync());
            Assert.Contains($"sandbox: --kubeconfig: {first.KubeconfigPath} is the kubeconfig of a sandbox still running", second.Errors, StringComparison.Ordinal);
        }

        // The first sandbox's kubectl still reaches it.
        Assert.Equal(written, await File.ReadAllTextAsync(first.KubeconfigPath));
        using var kubectl = new Kubectl(first.KubeconfigPath);
        await kubectl.OkAsync("get", "ifund");
        Assert.Equal(0, await first.InterruptAsync());
        Assert.False(File.Exists(first.KubeconfigPath));
    }

    [Fact]
    public async Task A_kubeconfig_left_by_a_sandbox_that_is_gone_is_replaced()
    {
        var folder = Directory.CreateTempSubdirectory("cryptoindex-kubeconfig-").FullName;
        try
        {
            var path = Path.Combine(folder, "kubeconfig");
            await File.WriteAllTextAsync(path, LocalKubeCluster.KubeconfigFor(new Uri($"http://127.0.0.1:{ClosedPort()}")));

            await using var sandbox = CryptoIndexProcess.Start("sandbox", "--port", "0", "--metrics-port", "0", "--kubeconfig", path, "--no-samples", "--duration", "1h", "--speed", "7200");

            Assert.Equal(0, await sandbox.ExitCodeAsync());
            Assert.Contains("final summary:", sandbox.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A loopback port nothing listens on any more (as after a sandbox was killed).</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
