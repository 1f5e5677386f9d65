using System.Globalization;
using System.Net;
using System.Text.Json;

namespace CryptoIndex.MarketData.Sources;

/// <summary>
/// Binance public ticker prices, as a fallback for prices only: one <c>GET /api/v3/ticker/price</c> returns every
/// pair (request weight 4), so the number of requests does not grow with the number of assets. Prices are in the
/// pair's quote asset (USDT by default), taken as US dollars. Binance has no market caps: see
/// <see cref="MarketCapOrigin.Estimated"/>. After a 429 or 418 (or 403) with Retry-After, nothing is sent until it
/// has passed, whichever refresh asks: Binance bans an IP that keeps calling, and bans it longer (2 minutes up to
/// 3 days) for each request during the ban. A fetch in that time fails as any failed fetch does.
/// </summary>
public sealed class BinanceTickerSource(HttpClient http, Uri baseUrl, TimeProvider time, string quoteAsset = "USDT") : IPriceSource
{
    public const string SourceName = "binance";

    private readonly Lock gate = new();
    private (DateTimeOffset Until, bool Banned)? hold;

    /// <summary>Binance's public market-data host.</summary>
    public static readonly Uri PublicDataBaseUrl = new("https://data-api.binance.vision/");

    public string Name => SourceName;

    public bool ReportsMarketCaps => false;

    public async Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        if (Refusal(time.GetUtcNow()) is { } refused)
        {
            throw refused;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, "api/v3/ticker/price"));
        using var document = await HttpJson.SendAsync(http, request, Name, cancellationToken, Remember).ConfigureAwait(false);
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

    /// <summary>Keeps the back-off a 429, 418 or 403 answer asked for in its Retry-After; the latest deadline wins.</summary>
    private void Remember(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or (HttpStatusCode)418 or HttpStatusCode.Forbidden)
            || response.Headers.RetryAfter is not { } retryAfter)
        {
            return;
        }

        var now = time.GetUtcNow();
        var until = retryAfter.Delta is { } delta ? now + delta : retryAfter.Date ?? now;
        lock (gate)
        {
            if (until > now && (hold is not { } current || until > current.Until))
            {
                hold = (until, response.StatusCode == (HttpStatusCode)418);
            }
        }
    }

    /// <summary>Null when a request may be sent at <paramref name="now"/>; else the failure to report instead of sending it.</summary>
    private PriceSourceException? Refusal(DateTimeOffset now)
    {
        lock (gate)
        {
            if (hold is not { } current || current.Until <= now)
            {
                return null;
            }

            return new PriceSourceException(
                Name,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"not sent: {(current.Banned ? "IP banned" : "rate limited")} by Binance until {current.Until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}; retry after {Math.Ceiling((current.Until - now).TotalSeconds):0}s"));
        }
    }
}
