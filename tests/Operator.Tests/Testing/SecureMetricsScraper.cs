using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>
/// Talks to an operator started with secure metrics: its plain (probe) and HTTPS (metrics) addresses, and an HTTPS
/// client that records the certificate the server presented (the tests pin it instead of trusting it).
/// </summary>
internal sealed class SecureMetricsScraper : IDisposable
{
    private readonly HttpClient _https;

    public SecureMetricsScraper(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Plain = Loopback(addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal)));
        Secure = Loopback(addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                Presented = certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.RawData);
                return true;
            },
        };
        _https = new HttpClient(handler) { BaseAddress = Secure };
        PlainClient = new HttpClient { BaseAddress = Plain };
    }

    public Uri Plain { get; }

    public Uri Secure { get; }

    public HttpClient PlainClient { get; }

    /// <summary>The certificate of the last TLS handshake.</summary>
    public X509Certificate2? Presented { get; private set; }

    /// <summary>GET /metrics over HTTPS with <c>Authorization: Bearer token</c> (none when null).</summary>
    public async Task<(HttpStatusCode Code, string Body)> ScrapeAsync(string? token, string path = "/metrics")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await _https.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose()
    {
        _https.Dispose();
        PlainClient.Dispose();
        Presented?.Dispose();
    }

    private static Uri Loopback(string address) =>
        new(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
}
