using System.Globalization;
using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;

namespace CryptoIndex.MarketData;

/// <summary>
/// The operator's market-data settings: where each provider is, its key and limits, and how bad data is bounded.
/// A fund's spec only names a provider (<see cref="PriceProviders"/>); everything else is the operator's.
/// </summary>
public sealed record PriceProviderSettings
{
    public CoinGeckoOptions CoinGecko { get; init; } = new();

    /// <summary>Client-side limit for CoinGecko; 30 per minute is the demo tier's published limit.</summary>
    public int CoinGeckoRequestsPerMinute { get; init; } = 30;

    public Uri BinanceBaseUrl { get; init; } = BinanceTickerSource.PublicDataBaseUrl;

    /// <summary>The price document for the <c>file</c> provider (a mounted ConfigMap, for example).</summary>
    public string? FilePath { get; init; }

    public SourceHttpOptions Http { get; init; } = new();

    public MarketDataOptions Validation { get; init; } = new();

    /// <summary>
    /// When set, this one source serves every provider a fund may name (the sandbox's simulated or replayed market):
    /// funds keep their specs, and every quote carries this source's name.
    /// </summary>
    public IPriceSource? Substitute { get; init; }

    /// <summary>
    /// What is out of range, naming the setting under <paramref name="section"/> by the keys the operator reads
    /// (<c>MarketData:CoinGecko:PageSize</c>, …); null when all is well.
    /// </summary>
    public string? Problem(string section) =>
        CoinGecko.Problem($"{section}:{nameof(CoinGecko)}")
        ?? (CoinGeckoRequestsPerMinute < 1
            ? string.Create(CultureInfo.InvariantCulture, $"{section}:{nameof(CoinGeckoRequestsPerMinute)} must be 1 or more, not {CoinGeckoRequestsPerMinute}")
            : null)
        ?? HttpUrls.Problem($"{section}:{nameof(BinanceBaseUrl)}", BinanceBaseUrl, BinanceTickerSource.PublicDataBaseUrl)
        ?? Http.Problem($"{section}:{nameof(Http)}")
        ?? Validation.Problem($"{section}:{nameof(Validation)}");
}

/// <summary>The providers a fund may name in <c>spec.prices.provider</c>, and the chain of sources each one means.</summary>
public static class PriceProviders
{
    /// <summary>CoinGecko for prices and market caps, Binance as the fallback for prices.</summary>
    public const string CoinGecko = "coingecko";

    /// <summary>Binance prices only; market caps are estimated from the last known ones.</summary>
    public const string Binance = "binance";

    /// <summary>A JSON price document; no network.</summary>
    public const string File = "file";

    public static IReadOnlyList<string> All { get; } = [CoinGecko, Binance, File];
}
