using System.Globalization;
using CryptoIndex.MarketData.Http;

namespace CryptoIndex.MarketData.Sources;

/// <summary>CoinGecko's two API plans: the key is sent in a different header, and Pro has its own host.</summary>
public enum CoinGeckoPlan
{
    Demo,
    Pro,
}

/// <summary>
/// CoinGecko settings. Without a key the public endpoint is used; a Demo key goes in <c>x-cg-demo-api-key</c>, a Pro
/// key in <c>x-cg-pro-api-key</c> against the Pro host. Ids are requested <see cref="PageSize"/> at a time.
/// </summary>
public sealed record CoinGeckoOptions
{
    public static readonly Uri PublicBaseUrl = new("https://api.coingecko.com/api/v3/");
    public static readonly Uri ProBaseUrl = new("https://pro-api.coingecko.com/api/v3/");

    /// <summary>Overrides the host (tests, proxies); null picks the public or Pro host by plan.</summary>
    public Uri? BaseUrl { get; init; }

    public CoinGeckoPlan Plan { get; init; } = CoinGeckoPlan.Demo;

    /// <summary>The API key; never logged. Null for the keyless public endpoint.</summary>
    public string? ApiKey { get; init; }

    public string VsCurrency { get; init; } = "usd";

    /// <summary>The most ids CoinGecko's <c>/simple/price</c> takes in one request.</summary>
    public const int MaxPageSize = 250;

    public int PageSize { get; init; } = MaxPageSize;

    public Uri EffectiveBaseUrl => BaseUrl ?? (Plan == CoinGeckoPlan.Pro && ApiKey is not null ? ProBaseUrl : PublicBaseUrl);

    /// <summary>What is out of range, naming the setting under <paramref name="section"/>; null when all is well.</summary>
    public string? Problem(string section) =>
        PageSize is < 1 or > MaxPageSize
            ? string.Create(CultureInfo.InvariantCulture, $"{section}:PageSize must be from 1 to {MaxPageSize} (ids per request), not {PageSize}")
        : BaseUrl is not null ? HttpUrls.Problem($"{section}:BaseUrl", BaseUrl, PublicBaseUrl)
        : null;

    // Records print their properties; the key must never reach a log line, nor a password in the URL.
    public override string ToString() =>
        $"CoinGeckoOptions {{ BaseUrl = {HttpUrls.Redact(EffectiveBaseUrl)}, Plan = {Plan}, ApiKey = {(ApiKey is null ? "none" : "***")}, VsCurrency = {VsCurrency}, PageSize = {PageSize} }}";
}
