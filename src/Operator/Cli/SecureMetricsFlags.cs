using System.Globalization;
using CryptoIndex.Operator.Runtime.Hosting;

namespace CryptoIndex.Operator.Cli;

/// <summary><c>run</c>'s <c>--metrics-secure</c>, <c>--metrics-port</c> and <c>--metrics-cert-dir</c>: checked together, turned into options.</summary>
internal static class SecureMetricsFlags
{
    public const int DefaultPort = 8443;

    /// <summary>What is wrong with the combination, or null.</summary>
    public static string? Problem(bool secure, int probePort, int? metricsPort, string? certDir)
    {
        if (!secure)
        {
            // Without the switch /metrics stays plain on --port: a port or certificate given alone would look secure and not be.
            return metricsPort is not null || certDir is not null
                ? "--metrics-port and --metrics-cert-dir need --metrics-secure (without it /metrics is plain HTTP on --port)"
                : null;
        }

        var port = metricsPort ?? DefaultPort;
        if (port is < 1 or > 65535)
        {
            return $"--metrics-port: {port.ToString(CultureInfo.InvariantCulture)} is not a port (1 to 65535)";
        }

        if (port == probePort)
        {
            return $"--metrics-port: {port.ToString(CultureInfo.InvariantCulture)} is also --port; the probes stay plain HTTP on their own port, so give /metrics another";
        }

        return certDir is not null && !Directory.Exists(certDir)
            ? $"--metrics-cert-dir: '{certDir}' is not a folder (it should hold {SecureMetricsOptions.CertFileName} and {SecureMetricsOptions.KeyFileName})"
            : null;
    }

    public static SecureMetricsOptions? Options(bool secure, int? metricsPort, string? certDir) =>
        secure ? new SecureMetricsOptions { Port = metricsPort ?? DefaultPort, CertDir = certDir } : null;
}
