using CryptoIndex.LocalKube.Testing;
using System.Diagnostics;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>The pinned tools from scripts/install-tools.sh are installed and are the pinned versions.</summary>
public sealed class ToolsTests
{
    private static async Task<string> RunAsync(string binary, params string[] args)
    {
        var psi = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync().WaitAsync(TestSupport.Guard);
        await p.WaitForExitAsync().WaitAsync(TestSupport.Guard);
        Assert.Equal(0, p.ExitCode);
        return output;
    }

    [Fact]
    public async Task Kubectl_is_the_pinned_1_35_2() =>
        Assert.Contains("Client Version: v1.35.2", await RunAsync(Kubectl.Binary, "version", "--client"), StringComparison.Ordinal);

    [Fact]
    public async Task Helm_is_the_pinned_4_1_4()
    {
        var helm = Path.Combine(Path.GetDirectoryName(Kubectl.Binary)!, "helm");
        Assert.True(File.Exists(helm), $"helm is not installed at {helm}: run scripts/install-tools.sh");

        Assert.StartsWith("v4.1.4", await RunAsync(helm, "version", "--short"), StringComparison.Ordinal);
    }
}
