using System.Text.Json;

namespace CryptoIndex.MarketData.Sources;

/// <summary>
/// CoinGecko <c>/simple/price</c> with market caps and update times, in pages of <see cref="CoinGeckoOptions.PageSize"/>
/// ids. Unknown ids are simply absent from CoinGecko's answer: they become <see cref="RejectionReason.MissingId"/>.
/// A page that fails ends the fetch, but the pages answered before it count: their prices are used, and the rest are
/// rejected as <see cref="RejectionReason.PageFailed"/> for the next source to serve. Asking the remaining pages would
/// not help — a failure is nearly always CoinGecko's (a rate limit, an outage), not the page's — and each could spend
/// the request timeout, leaving the fallback no time in the refresh. The deadline the refresh gives CoinGecko
/// cancelling a later page ends the fetch the same way, so the answered pages are not lost; the refresh keeps a share of
/// its timeout for the fallback to price the rest (<see cref="MarketDataOptions.FallbackShare"/>). Only when no page is
/// answered has the source failed: it throws, cancelled or not, as before.
/// </summary>
public sealed class CoinGeckoSource : IPriceSource
{
    private readonly HttpClient http;
    private readonly CoinGeckoOptions options;
    private readonly TimeProvider time;
    private readonly Func<CancellationToken, ValueTask<string>>? apiKey;

    /// <remarks>
    /// <paramref name="apiKey"/>: where the current API key comes from, asked before each request (a Secret read again
    /// now and then, so that a rotated key is used without a restart); null sends <see cref="CoinGeckoOptions.ApiKey"/>.
    /// </remarks>
    public CoinGeckoSource(HttpClient http, CoinGeckoOptions options, TimeProvider time, Func<CancellationToken, ValueTask<string>>? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem(nameof(CoinGeckoOptions)) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        this.http = http;
        this.options = options;
        this.time = time;
        this.apiKey = apiKey;
    }

    public const string SourceName = "coingecko";

    public string Name => SourceName;

    public bool ReportsMarketCaps => true;

    public async Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var quotes = new List<RawQuote>();
        var rejections = new List<PriceRejection>();
        var priced = assets.Where(a => !string.IsNullOrEmpty(a.CoinGeckoId)).ToList();
        foreach (var asset in assets.Where(a => string.IsNullOrEmpty(a.CoinGeckoId)))
        {
            rejections.Add(PriceRejection.For(asset, Name, RejectionReason.MissingId, "no CoinGecko id configured"));
        }

        var pages = priced.Chunk(options.PageSize).ToList();
        for (var i = 0; i < pages.Count; i++)
        {
            try
            {
                using var document = await GetPageAsync(pages[i], cancellationToken).ConfigureAwait(false);
                Read(document.RootElement, pages[i], quotes, rejections);
            }
            catch (PriceSourceException e) when (i > 0)
            {
                RejectRest(pages, i, $"page {i + 1} of {pages.Count} failed ({e.Message}); not asked again this refresh", rejections);
                break;
            }
            catch (OperationCanceledException) when (i > 0 && cancellationToken.IsCancellationRequested)
            {
                // The deadline the refresh gave this source passed: throwing would lose the pages already answered.
                RejectRest(pages, i, $"page {i + 1} of {pages.Count} not answered within {Name}'s time in this refresh; not asked again this refresh", rejections);
                break;
            }
        }

        return new SourceResult(quotes, rejections);
    }

    /// <summary>How many of the currencies an entry has instead of the one asked for a rejection names.</summary>
    internal const int MaxCurrenciesShown = 10;

    private static string Printable(string name)
    {
        var shown = new string(name.Take(16).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return name.Length > 16 ? shown + "…" : shown;
    }

    private void RejectRest(List<AssetRef[]> pages, int failed, string why, List<PriceRejection> rejections) =>
        rejections.AddRange(pages.Skip(failed).SelectMany(p => p).Select(a => PriceRejection.For(a, Name, RejectionReason.PageFailed, why)));

    private async Task<JsonDocument> GetPageAsync(AssetRef[] page, CancellationToken cancellationToken)
    {
        var ids = string.Join(',', page.Select(a => a.CoinGeckoId).Distinct(StringComparer.Ordinal));
        var uri = new Uri(
            options.EffectiveBaseUrl,
            $"simple/price?ids={Uri.EscapeDataString(ids)}&vs_currencies={Uri.EscapeDataString(options.VsCurrency)}"
            + "&include_market_cap=true&include_last_updated_at=true&precision=full");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if ((apiKey is null ? options.ApiKey : await apiKey(cancellationToken).ConfigureAwait(false)) is { } key)
        {
            request.Headers.TryAddWithoutValidation(options.Plan == CoinGeckoPlan.Pro ? "x-cg-pro-api-key" : "x-cg-demo-api-key", key);
        }

        return await HttpJson.SendAsync(http, request, Name, cancellationToken).ConfigureAwait(false);
    }

    private void Read(JsonElement root, AssetRef[] page, List<RawQuote> quotes, List<PriceRejection> rejections)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PriceSourceException(Name, $"expected a JSON object keyed by id, got {root.ValueKind}");
        }

        var currency = options.VsCurrency;
        var fetchedAt = time.GetUtcNow();
        foreach (var asset in page)
        {
            if (!root.TryGetProperty(asset.CoinGeckoId!, out var entry) || entry.ValueKind != JsonValueKind.Object)
            {
                rejections.Add(PriceRejection.For(asset, Name, RejectionReason.MissingId, $"id '{asset.CoinGeckoId}' not in the response"));
                continue;
            }

            if (!entry.TryGetProperty(currency, out var priceElement))
            {
                // Names from the answer go into status and logs: a few, short and printable, whatever the answer holds.
                var present = string.Join(", ", entry.EnumerateObject().Select(p => p.Name).Where(n => !n.Contains('_', StringComparison.Ordinal))
                    .Take(MaxCurrenciesShown).Select(Printable));
                rejections.Add(PriceRejection.For(asset, Name, RejectionReason.WrongCurrency, $"no '{currency}' price (got: {(present.Length == 0 ? "none" : present)})"));
                continue;
            }

            if (!JsonNumbers.TryRead(priceElement, out var price))
            {
                rejections.Add(PriceRejection.For(asset, Name, RejectionReason.Malformed, $"'{currency}' is not a number"));
                continue;
            }

            decimal? marketCap = JsonNumbers.TryReadProperty(entry, currency + "_market_cap", out var cap) ? cap : null;
            // An update time that is not a sane Unix time (negative, beyond year 9999) is ignored: the fetch time is used.
            var observedAt = entry.TryGetProperty("last_updated_at", out var updated) && updated.TryGetInt64(out var seconds)
                && seconds is > 0 and < 253_402_300_799
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : fetchedAt;
            quotes.Add(new RawQuote(asset, price, marketCap, observedAt));
        }
    }
}
