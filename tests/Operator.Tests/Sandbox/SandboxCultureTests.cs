using CryptoIndex.Operator.Tests.Testing;

namespace CryptoIndex.Operator.Tests.Sandbox;

/// <summary>
/// The executable reads and writes numbers and dates the same whatever the machine's culture, also when invariant
/// globalization is turned off from the environment (DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false, which needs ICU, as
/// the .NET SDK's Linux images have). Separate processes: a test process cannot change its own globalization mode.
/// </summary>
public sealed class SandboxCultureTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sandbox-culture-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task A_speed_with_a_decimal_point_is_read_as_written_under_a_culture_with_a_decimal_comma()
    {
        // Under de-DE the option parser took the point for a thousands separator: --speed 0.5 ran at 5x.
        await using var sandbox = CryptoIndexProcess.Start(Culture("de_DE.UTF-8"), "sandbox", "--port", "0", "--metrics-port", "0", "--kubeconfig", Path.Combine(folder, "kubeconfig"), "--speed", "0.5");

        await sandbox.WaitForLineAsync(line => line.Contains("SIMULATED market", StringComparison.Ordinal));

        Assert.Contains("SIMULATED market (random walk, seed 42) at 0.5x real time", sandbox.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dates_are_written_in_the_gregorian_calendar_under_a_culture_with_another()
    {
        // Under ar-SA (Umm al-Qura calendar) this said "1410-06-04 is outside the history every asset has (1443-05-28 to 1443-05-30)".
        var data = Directory.CreateDirectory(Path.Combine(folder, "data")).FullName;
        foreach (var symbol in new[] { "a", "b" })
        {
            File.WriteAllText(Path.Combine(data, $"{symbol}-usd-max.csv"), "snapped_at,price,market_cap,total_volume\n2022-01-01 00:00:00 UTC,1,100,0\n2022-01-03 00:00:00 UTC,1,100,0\n");
        }

        await using var sandbox = CryptoIndexProcess.Start(Culture("ar_SA.UTF-8"), "sandbox", "--port", "0", "--metrics-port", "0", "--kubeconfig", Path.Combine(folder, "kubeconfig"), "--data", data, "--from", "1990-01-01");

        Assert.Equal(CryptoIndex.Operator.Cli.ExitCodes.InvalidInput, await sandbox.ExitCodeAsync());
        Assert.Contains("sandbox: --from: 1990-01-01 is outside the history every asset has (2022-01-01 to 2022-01-03)", sandbox.Errors, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Culture(string locale) => new()
    {
        ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "false",
        ["LANG"] = locale,
        ["LC_ALL"] = locale,
    };
}
