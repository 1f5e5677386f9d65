using System.Globalization;
using System.Text.Json;

namespace CryptoIndex.MarketData.Sources;

/// <summary>
/// Prices and market caps from a JSON document (a file, or a ConfigMap mounted as one), for air-gapped clusters,
/// demos and tests. The same format the <c>plan</c> command reads:
/// <code>{"observedAt": "2022-01-01T00:00:00Z", "assets": {"BTC": {"price": "46311.74", "marketCap": "876192941903"}}}</code>
/// Numbers may be JSON numbers or strings; an asset may carry its own <c>observedAt</c>. Assets are keyed by symbol.
/// </summary>
public sealed class FileSource(Func<CancellationToken, Task<string>> readDocument) : IPriceSource
{
    public const string SourceName = "file";

    public string Name => SourceName;

    public bool ReportsMarketCaps => true;

    public static FileSource FromPath(string path) => new(ct => File.ReadAllTextAsync(path, ct));

    public async Task<SourceResult> FetchAsync(IReadOnlyList<AssetRef> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        string text;
        try
        {
            text = await readDocument(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PriceSourceException(Name, "cannot read the price document: " + e.Message, e);
        }

        JsonDocument document;
        try
        {
            // A key twice (two "BTC" entries) must not let the last copy win silently.
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new PriceSourceException(Name, "the price document is not valid JSON: " + JsonErrors.Describe(e, text), e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("assets", out var entries) || entries.ValueKind != JsonValueKind.Object)
            {
                throw new PriceSourceException(Name, "the price document needs an \"assets\" object");
            }

            var documentTime = ReadTime(root) ?? throw new PriceSourceException(Name, "the price document needs \"observedAt\" (RFC 3339)");
            var quotes = new List<RawQuote>();
            var rejections = new List<PriceRejection>();
            foreach (var asset in assets)
            {
                if (!entries.TryGetProperty(asset.Symbol, out var entry))
                {
                    rejections.Add(PriceRejection.For(asset, Name, RejectionReason.MissingId, "not in the price document"));
                    continue;
                }

                if (!JsonNumbers.TryReadProperty(entry, "price", out var price))
                {
                    rejections.Add(PriceRejection.For(asset, Name, RejectionReason.Malformed, "\"price\" is missing or not a number"));
                    continue;
                }

                decimal? marketCap = JsonNumbers.TryReadProperty(entry, "marketCap", out var cap) ? cap : null;
                quotes.Add(new RawQuote(asset, price, marketCap, ReadTime(entry) ?? documentTime));
            }

            return new SourceResult(quotes, rejections);
        }
    }

    private static DateTimeOffset? ReadTime(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty("observedAt", out var time)
        && time.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : null;
}
