using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>The secure metrics endpoint's log lines; none takes a token.</summary>
internal static partial class SecureMetricsLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not review access to {Path} with the API server ({Error}, status {Status}); answering 503")]
    public static partial void ReviewFailed(this ILogger logger, string path, string error, string status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Unauthenticated request to {Path}")]
    public static partial void Unauthenticated(this ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User {User} may not {Verb} {Path}: {Reason}")]
    public static partial void Forbidden(this ILogger logger, string user, string verb, string path, string? reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Serving /metrics over HTTPS on port {Port} with a self-signed certificate generated at start (no certificate folder given): scrapers cannot verify it")]
    public static partial void SelfSigned(this ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving /metrics over HTTPS on port {Port} with the certificate from {Dir}")]
    public static partial void CertificateFromFiles(this ILogger logger, int port, string? dir);

    [LoggerMessage(Level = LogLevel.Information, Message = "Renewed the self-signed certificate of /metrics")]
    public static partial void SelfSignedRenewed(this ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the renewed certificate of /metrics from {Dir}")]
    public static partial void CertificateReloaded(this ILogger logger, string dir);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keeping the current certificate of /metrics: {Problem}")]
    public static partial void CertificateReloadFailed(this ILogger logger, string problem);
}
