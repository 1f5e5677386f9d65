using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>Kestrel's two listeners of a secure host: plain HTTP for the probes, HTTPS for <c>/metrics</c>.</summary>
internal static class SecureMetricsListeners
{
    public static void Configure(WebApplicationBuilder web, string bindAddress, int probePort, int metricsPort)
    {
        web.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, bindAddress, probePort, _ => { });
            Listen(kestrel, bindAddress, metricsPort, listen => listen.UseHttps(https =>
            {
                // Asked at each handshake, so a renewed certificate is served without a restart.
                var certificate = kestrel.ApplicationServices.GetRequiredService<MetricsCertificate>();
                https.ServerCertificateSelector = (_, _) => certificate.Current;
            }));
        });
    }

    /// <summary>Loads the certificate now (a missing or bad pair stops the start, naming the files) and says which it is.</summary>
    public static void LogCertificate(WebApplication app)
    {
        var certificate = app.Services.GetRequiredService<MetricsCertificate>();
        var options = app.Services.GetRequiredService<SecureMetricsOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SecureMetricsListeners));
        if (certificate.IsSelfSigned)
        {
            logger.SelfSigned(options.Port);
        }
        else
        {
            logger.CertificateFromFiles(options.Port, options.CertDir);
        }
    }

    private static void Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        if (IPAddress.TryParse(address, out var ip))
        {
            kestrel.Listen(ip, port, configure);
        }
        else if (address == "localhost")
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else
        {
            kestrel.ListenAnyIP(port, configure);
        }
    }
}
