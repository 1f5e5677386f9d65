using System.Globalization;
using System.Net;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CryptoIndex.MarketData.Sources;

/// <summary>
/// Sends a request through the source's resilient client and parses the JSON body. Every way the provider can fail
/// (status, timeout, open circuit, connection error, a body that is not JSON) becomes a
/// <see cref="PriceSourceException"/> whose message has no URL query and no header, so no key can leak through it.
/// <c>refused</c> sees an answer other than 200 before it becomes that exception (a source that must remember a ban).
/// </summary>
internal static class HttpJson
{
    public static async Task<JsonDocument> SendAsync(
        HttpClient http, HttpRequestMessage request, string source, CancellationToken cancellationToken, Action<HttpResponseMessage>? refused = null)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new PriceSourceException(source, "timed out", e);
        }
        catch (BrokenCircuitException e)
        {
            throw new PriceSourceException(source, "circuit open after repeated failures", e);
        }
        catch (HttpRequestException e)
        {
            throw new PriceSourceException(source, "request failed: " + e.HttpRequestError, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PriceSourceException(source, "timed out", e);
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                refused?.Invoke(response);
                throw new PriceSourceException(source, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}{RetryAfter(response)}");
            }

            try
            {
                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new PriceSourceException(source, "malformed JSON: " + e.Message, e);
            }
        }
    }

    // A Retry-After the client did not wait for (it outlasted the total timeout, or retries are off) is named, so
    // whoever reads the failure knows how long the provider asked to be left alone.
    private static string RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => string.Create(CultureInfo.InvariantCulture, $"; retry after {Math.Ceiling(delta.TotalSeconds):0}s"),
        { Date: { } date } => string.Create(CultureInfo.InvariantCulture, $"; retry after {date.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}"),
        _ => string.Empty,
    };
}
