using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CryptoIndex.Operator.Runtime.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>The secure metrics' certificate: self-signed in memory, or a tls.crt/tls.key pair that may be renewed in place.</summary>
public sealed class MetricsCertificateTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly string folder = Directory.CreateTempSubdirectory("metrics-cert-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Without_a_folder_it_is_self_signed_for_a_year_and_renewed_a_month_before_it_ends()
    {
        var clock = new FakeTimeProvider(Start);
        var certificate = new MetricsCertificate(null, "widget-operator", clock, NullLogger<MetricsCertificate>.Instance);
        var first = certificate.Current;

        Assert.True(certificate.IsSelfSigned);
        Assert.Equal(("CN=widget-operator", "CN=widget-operator"), (first.Subject, first.Issuer));
        Assert.True(first.HasPrivateKey);
        Assert.Equal(Start.AddDays(365).UtcDateTime, first.NotAfter.ToUniversalTime());
        clock.Advance(TimeSpan.FromDays(300));
        Assert.Same(first, certificate.Current);
        clock.Advance(TimeSpan.FromDays(40));
        Assert.NotEqual(first.Thumbprint, certificate.Current.Thumbprint);
    }

    [Fact]
    public void A_missing_pair_stops_the_start_naming_the_files()
    {
        var e = Assert.Throws<MetricsCertificateException>(() => new MetricsCertificate(folder, "op", TimeProvider.System, NullLogger<MetricsCertificate>.Instance));

        Assert.Contains(Path.Combine(folder, "tls.crt"), e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder, "tls.key"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_renewed_pair_is_served_after_the_next_look_and_a_broken_one_keeps_the_last_good()
    {
        var clock = new FakeTimeProvider(Start);
        var first = WritePair(DateTime.UtcNow.AddMinutes(-10));
        var certificate = new MetricsCertificate(folder, "op", clock, NullLogger<MetricsCertificate>.Instance);
        Assert.Equal(first, certificate.Current.Thumbprint);

        var second = WritePair(DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(first, certificate.Current.Thumbprint); // looked at most once a minute
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(second, certificate.Current.Thumbprint);

        File.WriteAllText(Path.Combine(folder, "tls.key"), "half written");
        File.SetLastWriteTimeUtc(Path.Combine(folder, "tls.key"), DateTime.UtcNow);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(second, certificate.Current.Thumbprint);
    }

    /// <summary>A new pair with both files stamped <paramref name="stamp"/> (distinct stamps, however fast this runs).</summary>
    private string WritePair(DateTime stamp)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=op", key, HashAlgorithmName.SHA256).CreateSelfSigned(Start.AddDays(-1), Start.AddDays(90));
        File.WriteAllText(Path.Combine(folder, "tls.crt"), cert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        File.SetLastWriteTimeUtc(Path.Combine(folder, "tls.crt"), stamp);
        File.SetLastWriteTimeUtc(Path.Combine(folder, "tls.key"), stamp);
        return cert.Thumbprint;
    }
}
