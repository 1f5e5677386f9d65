namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>
/// <c>/metrics</c> over HTTPS on its own port, every request authenticated with a TokenReview and authorized with a
/// SubjectAccessReview (controller-runtime's <c>filters.WithAuthenticationAndAuthorization</c>); the probes stay on
/// the plain port for the kubelet.
/// </summary>
public sealed record SecureMetricsOptions
{
    /// <summary>The certificate's file name in <see cref="CertDir"/> (as controller-runtime and a kubernetes.io/tls Secret name it).</summary>
    public const string CertFileName = "tls.crt";

    /// <summary>The private key's file name in <see cref="CertDir"/>.</summary>
    public const string KeyFileName = "tls.key";

    /// <summary>HTTPS port of <c>/metrics</c> (kubebuilder's 8443; 0 picks a free one).</summary>
    public int Port { get; init; } = 8443;

    /// <summary>Folder with <c>tls.crt</c> and <c>tls.key</c> (PEM), re-read when they change; null: a self-signed certificate made at start.</summary>
    public string? CertDir { get; init; }

    /// <summary>How long a review's answer is reused for the same token, so each scrape does not ask the API server.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Most tokens whose answers are kept (a flood of made-up tokens cannot grow memory beyond this).</summary>
    public int CacheSize { get; init; } = 1024;

    /// <summary>How long the TokenReview and SubjectAccessReview together may take before the request fails.</summary>
    public TimeSpan ReviewTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
