using System.Globalization;

namespace CryptoIndex.Operator.Runtime.Metrics;

/// <summary>
/// Counts every API request by status code, method and host as <c>rest_client_requests_total</c> (client-go's
/// adapter). Insert it with <c>new Kubernetes(config, handler)</c>.
/// </summary>
public sealed class RequestMetricsHandler(RuntimeMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var host = request.RequestUri?.Authority ?? "";
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            metrics.RestRequests.WithLabels(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), request.Method.Method, host).Inc();
            return response;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.RestRequests.WithLabels("<error>", request.Method.Method, host).Inc();
            throw;
        }
    }
}
