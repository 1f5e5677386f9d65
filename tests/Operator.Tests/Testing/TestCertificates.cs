using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>Certificates for the HTTPS tests, written as a kubernetes.io/tls Secret mounts them (tls.crt, tls.key).</summary>
internal static class TestCertificates
{
    /// <summary>Writes a new self-signed pair for <paramref name="subject"/> into <paramref name="folder"/>; returns its thumbprint.</summary>
    public static string WritePair(string folder, string subject, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + subject, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(90));
        File.WriteAllText(Path.Combine(folder, "tls.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "tls.key"), key.ExportPkcs8PrivateKeyPem());
        return certificate.Thumbprint;
    }
}
