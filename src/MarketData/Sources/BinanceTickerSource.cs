using System.Text.Json;

namespace CryptoIndex.MarketData.Sources;

/// <summary>
/// Binance public ticker prices, as a fallback for prices only: one <c>GET /api/v3/ticker/price</c> returns every
/// pair (request weight 4), so the number of requests does not grow with the number of assets. Prices are in the
/// pair's quote asset (USDT by default), taken as US dollars. Binance has no market caps: see
/// <see cref="MarketCapOrigin.Estimated"/>.
/// </summary>
public sealed class BinanceTickerSource(HttpClient http, Uri baseUrl, TimeProvider time, string quoteAsset = "USDT") : IPriceSource
{
    public const string SourceName = "binance";

    /// <summary>Binance's public market-data host.</summary>
    public static readonly Uri PublicDataBaseUrl = new("https://data-api.binance.vision/");

    public string Name => SourceName;

    public bool ReportsMarketCaps => false;

    public async Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "api/v3/ticker/price"));
        using var document = await HttpJson.SendAsync(http, request, Name, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new PriceSourceException(Name, $"expected a JSON array of tickers, got {root.ValueKind}");
        }

        var prices = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var ticker in root.EnumerateArray())
        {
            if (ticker.ValueKind == JsonValueKind.Object && ticker.TryGetProperty("symbol", out var symbol) && symbol.ValueKind == JsonValueKind.String)
            {
                prices[symbol.GetString()!] = ticker;
            }
        }

        var observedAt = time.GetUtcNow();
        var quotes = new List<RawQuote>();
        var rejections = new List<PriceRejection>();
        foreach (var asset in assets)
        {
            var pair = asset.BinancePair ?? asset.Symbol + quoteAsset;
            if (!prices.TryGetValue(pair, out var ticker))
            {
                rejections.Add(PriceRejection.For(asset, Name, RejectionReason.MissingId, $"no ticker for {pair}"));
            }
            else if (!JsonNumbers.TryReadProperty(ticker, "price", out var price))
            {
                rejections.Add(PriceRejection.For(asset, Name, RejectionReason.Malformed, $"price of {pair} is not a number"));
            }
            else
            {
                quotes.Add(new RawQuote(asset, price, null, observedAt));
            }
        }

        return new SourceResult(quotes, rejections);
    }
}
