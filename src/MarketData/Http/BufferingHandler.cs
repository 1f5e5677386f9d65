namespace CryptoIndex.MarketData.Http;

/// <summary>
/// Reads the whole response body before handing the response back. <see cref="HttpClient"/> would otherwise buffer
/// it after the handler chain returned, outside every timeout and retry: a provider that sends headers and then
/// stalls would hang the refresh. Here the body read is part of the attempt, and bounded: a broken or hostile
/// provider answering gigabytes fails the attempt instead of taking the operator's memory.
/// </summary>
internal sealed class BufferingHandler : DelegatingHandler
{
    /// <summary>The largest answer read (CoinGecko's 250-coin page and Binance's full ticker list are under 1 MB).</summary>
    public const long MaxResponseBytes = 16 * 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await response.Content.LoadIntoBufferAsync(MaxResponseBytes, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
