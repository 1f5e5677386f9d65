namespace CryptoIndex.MarketData.Http;

/// <summary>
/// Reads the whole response body before handing the response back. <see cref="HttpClient"/> would otherwise buffer
/// it after the handler chain returned, outside every timeout and retry: a provider that sends headers and then
/// stalls would hang the refresh. Here the body read is part of the attempt.
/// </summary>
internal sealed class BufferingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
