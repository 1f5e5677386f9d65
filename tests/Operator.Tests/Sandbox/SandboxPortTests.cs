using System.Net;
using System.Net.Sockets;
using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Sandbox;

/// <summary>
/// A port given to the sandbox that something else already listens on is a usage error naming the option, as any
/// other bad option is: not an unhandled exception's stack trace, and no kubeconfig left behind for a server that
/// never ran.
/// </summary>
public sealed class SandboxPortTests
{
    [Theory]
    [InlineData("--port")]
    [InlineData("--metrics-port")]
    public async Task A_port_in_use_is_refused_with_the_option_named(string option)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var folder = Directory.CreateTempSubdirectory("cryptoindex-port-").FullName;
        try
        {
            var kubeconfig = Path.Combine(folder, "kubeconfig");
            await using var sandbox = CryptoIndexProcess.Start(
                "sandbox", "--no-samples", "--duration", "1h", "--kubeconfig", kubeconfig,
                "--port", option == "--port" ? port : "0", "--metrics-port", option == "--metrics-port" ? port : "0");

            Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await sandbox.ExitCodeAsync());
            Assert.Contains($"sandbox: {option}: 127.0.0.1:{port} is already in use; name another port, or 0 for any free one", sandbox.Errors, StringComparison.Ordinal);
            Assert.DoesNotContain("exception", sandbox.Errors, StringComparison.OrdinalIgnoreCase);
            Assert.False(File.Exists(kubeconfig));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
