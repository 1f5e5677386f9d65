using System.Globalization;
using System.Text.Json;
using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Cli;

/// <summary>
/// The inputs of <c>plan</c> beside the manifest: prices (the JSON document the <c>file</c> price provider reads) and
/// holdings. Holdings default to the fund's capital in cash, i.e. the plan of its first funding:
/// <code>{"cash": "1000", "quantities": {"BTC": "0.5"}, "lastRebalanceAt": "2022-01-01T00:00:00Z", "constituentsAtLastRebalance": ["BTC"]}</code>
/// </summary>
public static class PlanInputs
{
    /// <summary>
    /// Prices of the constituents and of any other asset held (one that left the index is sold at its price), from the
    /// price document at <paramref name="path"/>.
    /// </summary>
    /// <paramref name="now"/> (--now), when given, is the operator's time for the checks: a price observed after it is
    /// refused as the operator refuses a price from the future.
    public static async Task<(IReadOnlyDictionary<string, PriceQuote>? Quotes, string? Error)> ReadPricesAsync(
        string path, FundDefinition fund, Holdings? holdings = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(fund);
        if (!File.Exists(path))
        {
            return (null, $"--prices: file '{path}' does not exist");
        }

        var assets = fund.Constituents.Select(c => new AssetRef(c.Symbol, c.CoinGeckoId, c.BinancePair)).ToList();
        assets.AddRange(HeldOutsideTheIndex(fund, holdings).Select(symbol => new AssetRef(symbol)));
        SourceResult result;
        try
        {
            result = await FileSource.FromPath(path).FetchAsync(assets, CancellationToken.None).ConfigureAwait(false);
        }
        catch (PriceSourceException e)
        {
            return (null, "--prices: " + e.Message);
        }

        return Validate(result, now, "--prices");
    }

    private static IEnumerable<string> HeldOutsideTheIndex(FundDefinition fund, Holdings? holdings) =>
        holdings is null
            ? []
            : holdings.Quantities.Keys.Where(symbol => !fund.Constituents.Any(c => c.Symbol == symbol)).Order(StringComparer.Ordinal);

    /// <summary>The same checks the operator's price cache applies to a first value (sign, range, time).</summary>
    private static (IReadOnlyDictionary<string, PriceQuote>? Quotes, string? Error) Validate(SourceResult result, DateTimeOffset? now, string option)
    {
        var validator = new QuoteValidator(0m);
        var quotes = new Dictionary<string, PriceQuote>(StringComparer.Ordinal);
        var problems = result.Rejections.Select(r => r.Message).ToList();
        foreach (var raw in result.Quotes)
        {
            var (quote, rejection) = validator.Validate(raw, "file", null, reportsMarketCaps: true, now: now ?? raw.ObservedAt);
            if (quote is null)
            {
                problems.Add(rejection!.Reason == RejectionReason.BadTimestamp && now is { } at && option == "--prices"
                    ? $"{rejection.Message} (after --now {at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)})"
                    : rejection.Message);
            }
            else
            {
                quotes[quote.Symbol] = quote;
            }
        }

        return problems.Count > 0 ? (null, $"{option}: " + string.Join("; ", problems)) : (quotes, null);
    }

    /// <summary>The environment variable the CoinGecko key is read from: a key on the command line would show in <c>ps</c>.</summary>
    public const string CoinGeckoKeyVariable = "COINGECKO_API_KEY";

    /// <summary>Live prices from CoinGecko, through the same resilient source the operator uses.</summary>
    public static async Task<(IReadOnlyDictionary<string, PriceQuote>? Quotes, string? Error)> FetchLiveAsync(FundDefinition fund, Uri? baseUrl, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(fund);
        if (baseUrl is not null && MarketData.Http.HttpUrls.Problem("--coingecko-url", baseUrl, CoinGeckoOptions.PublicBaseUrl) is { } problem)
        {
            return (null, problem);
        }

        baseUrl = baseUrl is null ? null : MarketData.Http.HttpUrls.AsBase(baseUrl);
        var key = Environment.GetEnvironmentVariable(CoinGeckoKeyVariable);
        using var http = MarketData.Http.ResilientHttpClient.Create(new MarketData.Http.SourceHttpOptions(), time);
        var source = new CoinGeckoSource(http, LiveOptions(baseUrl, key), time);
        var assets = fund.Constituents.Select(c => new AssetRef(c.Symbol, c.CoinGeckoId, c.BinancePair)).ToList();
        try
        {
            return Validate(await source.FetchAsync(assets, CancellationToken.None).ConfigureAwait(false), time.GetUtcNow(), "--provider coingecko");
        }
        catch (PriceSourceException e)
        {
            return (null, "--provider coingecko: " + e.Message);
        }
    }

    /// <summary>
    /// The CoinGecko settings for <c>--coingecko-url</c> and the key: the Pro plan when the URL is CoinGecko's Pro host,
    /// since CoinGecko takes a key there only in <c>x-cg-pro-api-key</c> (a Demo key header is refused), and the Demo
    /// plan (<c>x-cg-demo-api-key</c>) anywhere else.
    /// </summary>
    internal static CoinGeckoOptions LiveOptions(Uri? baseUrl, string? key) => new()
    {
        BaseUrl = baseUrl,
        ApiKey = string.IsNullOrEmpty(key) ? null : key,
        Plan = baseUrl is not null && string.Equals(baseUrl.Host, CoinGeckoOptions.ProBaseUrl.Host, StringComparison.OrdinalIgnoreCase)
            ? CoinGeckoPlan.Pro
            : CoinGeckoPlan.Demo,
    };

    /// <summary>
    /// A time as RFC 3339 writes it, with its UTC offset (<c>2021-12-31T12:30:00Z</c>, <c>…+01:00</c>); else the error,
    /// naming <paramref name="what"/>. A time without an offset is refused rather than read in the machine's time zone,
    /// which would make a decision depend on where the command runs.
    /// </summary>
    public static (DateTimeOffset? Time, string? Error) ParseTime(string? text, string what)
    {
        text ??= string.Empty;
        var example = "such as 2021-12-31T12:30:00Z";
        if (!System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$"))
        {
            var withoutOffset = System.Text.RegularExpressions.Regex.IsMatch(text, @"^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$");
            return (null, withoutOffset
                ? $"{what}: '{text}' has no UTC offset; write the time with one, {example} (Z for UTC) or 2021-12-31T13:30:00+01:00"
                : $"{what}: '{text}' is not a time with a UTC offset {example}");
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? (time, null)
            : (null, $"{what}: '{text}' is not a time with a UTC offset {example}");
    }

    public static (Holdings? Holdings, RebalanceHistory? History, string? Error) ReadHoldings(string? path, FundDefinition fund)
    {
        ArgumentNullException.ThrowIfNull(fund);
        if (path is null)
        {
            return (Holdings.CashOnly(fund.Capital), RebalanceHistory.None, null);
        }

        var text = string.Empty;
        try
        {
            text = File.ReadAllText(path);
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowDuplicateProperties = false });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, null, "--holdings: the holdings document must be a JSON object such as " + Example);
            }

            // A misspelled key would otherwise read as "no such holding" (e.g. all cash, a first funding).
            var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !HoldingsFields.Contains(n)).ToList();
            if (unknown.Count > 0)
            {
                return (null, null, $"--holdings: unknown field{(unknown.Count > 1 ? "s" : string.Empty)} {string.Join(", ", unknown.Select(n => $"\"{n}\""))}; the fields are {string.Join(", ", HoldingsFields)}");
            }

            var cash = root.TryGetProperty("cash", out var cashElement) ? Amount(cashElement, "cash") : 0m;
            var quantities = new List<(string, decimal)>();
            if (root.TryGetProperty("quantities", out var map))
            {
                foreach (var entry in map.EnumerateObject())
                {
                    quantities.Add((entry.Name, Amount(entry.Value, $"quantities.{entry.Name}")));
                }
            }

            DateTimeOffset? last = null;
            if (root.TryGetProperty("lastRebalanceAt", out var at))
            {
                var (time, timeError) = ParseTime(at.ValueKind == JsonValueKind.String ? at.GetString() : at.GetRawText(), "--holdings: lastRebalanceAt");
                if (timeError is not null)
                {
                    return (null, null, timeError);
                }

                last = time;
            }

            IReadOnlyCollection<string>? constituents = root.TryGetProperty("constituentsAtLastRebalance", out var list)
                ? [.. list.EnumerateArray().Select(e => e.GetString()!)]
                : null;
            return (Holdings.Of(cash, [.. quantities]), new RebalanceHistory(last, constituents), null);
        }
        catch (JsonException e)
        {
            return (null, null, $"--holdings: not valid JSON: {MarketData.Sources.JsonErrors.Describe(e, text)}");
        }
        catch (Exception e) when (e is IOException or FormatException or InvalidOperationException or ArgumentException)
        {
            return (null, null, $"--holdings: {e.Message}");
        }
    }

    private static readonly string[] HoldingsFields = ["cash", "quantities", "lastRebalanceAt", "constituentsAtLastRebalance"];

    private const string Example = """{"cash": "1000", "quantities": {"BTC": "0.5"}}""";

    private static decimal Amount(JsonElement element, string field) => element.ValueKind switch
    {
        JsonValueKind.String when decimal.TryParse(element.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) => value,
        JsonValueKind.Number when element.TryGetDecimal(out var number) => number,
        _ => throw new FormatException($"{field} is not a decimal amount"),
    };
}
