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

    public int PageSize { get; init; } = 250;

    public Uri EffectiveBaseUrl => BaseUrl ?? (Plan == CoinGeckoPlan.Pro && ApiKey is not null ? ProBaseUrl : PublicBaseUrl);

    // Records print their properties; the key must never reach a log line.
    public override string ToString() =>
        $"CoinGeckoOptions {{ BaseUrl = {EffectiveBaseUrl}, Plan = {Plan}, ApiKey = {(ApiKey is null ? "none" : "***")}, VsCurrency = {VsCurrency}, PageSize = {PageSize} }}";
}
