using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>
/// The secure <c>/metrics</c> port's certificate: <c>tls.crt</c> and <c>tls.key</c> from a folder (a mounted
/// kubernetes.io/tls Secret, e.g. from cert-manager), looked at again at most once a minute so a renewed pair is used
/// without a restart; or, with no folder, a self-signed one made in memory, renewed a month before it expires.
/// </summary>
public sealed class MetricsCertificate
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SelfSignedLifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private readonly Lock _gate = new();
    private readonly string? _dir;
    private readonly string _subject;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private X509Certificate2 _current;
    private (DateTime Cert, DateTime Key) _stamp;
    private DateTimeOffset _nextCheck;

    public MetricsCertificate(string? certDir, string subject, TimeProvider time, ILogger<MetricsCertificate> logger)
    {
        _dir = certDir;
        _subject = subject;
        _time = time;
        _logger = logger;
        if (certDir is null)
        {
            _current = SelfSigned(subject, time.GetUtcNow());
        }
        else
        {
            _stamp = Stamp(certDir);
            _current = Load(certDir);
        }

        _nextCheck = time.GetUtcNow() + CheckEvery;
    }

    /// <summary>True when no folder was given: scrapers cannot verify it (Prometheus needs <c>insecureSkipVerify</c>).</summary>
    public bool IsSelfSigned => _dir is null;

    /// <summary>The certificate to present now (what Kestrel's certificate selector returns for each handshake).</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_gate)
            {
                var now = _time.GetUtcNow();
                if (now >= _nextCheck)
                {
                    _nextCheck = now + CheckEvery;
                    Refresh(now);
                }

                return _current;
            }
        }
    }

    private void Refresh(DateTimeOffset now)
    {
        // The replaced certificate is not disposed: a handshake in progress may still be using it.
        if (_dir is null)
        {
            if (_current.NotAfter.ToUniversalTime() - RenewBefore <= now.UtcDateTime)
            {
                _current = SelfSigned(_subject, now);
                _logger.SelfSignedRenewed();
            }

            return;
        }

        try
        {
            var stamp = Stamp(_dir);
            if (stamp == _stamp)
            {
                return;
            }

            _current = Load(_dir);
            _stamp = stamp;
            _logger.CertificateReloaded(_dir);
        }
        catch (MetricsCertificateException e)
        {
            // A half-written renewal: keep serving the certificate that works and look again next time.
            _logger.CertificateReloadFailed(e.Message);
        }
    }

    private static (DateTime, DateTime) Stamp(string dir) =>
        (File.GetLastWriteTimeUtc(Path.Combine(dir, SecureMetricsOptions.CertFileName)), File.GetLastWriteTimeUtc(Path.Combine(dir, SecureMetricsOptions.KeyFileName)));

    private static X509Certificate2 Load(string dir)
    {
        var cert = Path.Combine(dir, SecureMetricsOptions.CertFileName);
        var key = Path.Combine(dir, SecureMetricsOptions.KeyFileName);
        try
        {
            return X509Certificate2.CreateFromPemFile(cert, key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            // The exception's message only names what is wrong; key material never appears in it.
            throw new MetricsCertificateException($"cannot load the metrics certificate {cert} with key {key}: {e.Message}", e);
        }
    }

    private static X509Certificate2 SelfSigned(string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(subject);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false)); // serverAuth
        return request.CreateSelfSigned(now.AddMinutes(-5), now + SelfSignedLifetime);
    }
}
