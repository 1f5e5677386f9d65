using System.Globalization;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Sources;
using Microsoft.Extensions.Configuration;

namespace CryptoIndex.Operator.Configuration;

/// <summary>Where the CoinGecko API key lives: a key of a Secret, read at start (never from a plain setting).</summary>
public sealed record SecretKeyReference(string Namespace, string Name, string Key);

/// <summary>
/// The operator's market-data settings, bound from configuration (appsettings, or environment variables such as
/// <c>MarketData__CoinGecko__BaseUrl</c>, which the Helm chart sets). Keys:
/// <list type="bullet">
/// <item><c>MarketData:CoinGecko:BaseUrl</c>, <c>:Plan</c> (Demo or Pro), <c>:PageSize</c>;
/// <c>MarketData:CoinGecko:ApiKeySecret</c> as <c>namespace/name/key</c>;
/// <c>MarketData:CoinGeckoRequestsPerMinute</c> (30);</item>
/// <item><c>MarketData:BinanceBaseUrl</c>; <c>MarketData:FilePath</c> (enables the <c>file</c> provider);</item>
/// <item><c>MarketData:Http:AttemptTimeout</c>, <c>:TotalTimeout</c>, <c>:MaxRetries</c>, <c>:RetryBaseDelay</c>,
/// <c>:BreakDuration</c>, …; <c>MarketData:Validation:MaxPriceJump</c>, <c>:AcceptJumpAfter</c>, <c>:RefreshTimeout</c>,
/// <c>:FallbackShare</c>.</item>
/// </list>
/// </summary>
public static class MarketDataConfiguration
{
    public const string Section = "MarketData";

    public static (PriceProviderSettings Settings, SecretKeyReference? ApiKeySecret) Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var coinGecko = section.GetSection("CoinGecko");

        // The keys read below, and no others: a misspelled one would otherwise leave its setting at the default.
        ConfigurationValues.RefuseUnknownKeys(section, ["CoinGecko", "CoinGeckoRequestsPerMinute", "BinanceBaseUrl", "FilePath", "Http", "Validation"]);
        ConfigurationValues.RefuseUnknownKeys(coinGecko, ["BaseUrl", "Plan", "PageSize", "ApiKeySecret"]);
        var defaults = new PriceProviderSettings();
        var settings = new PriceProviderSettings
        {
            CoinGecko = new CoinGeckoOptions
            {
                BaseUrl = ConfigurationValues.GetBaseUrl(coinGecko, "BaseUrl"), // empty: the public or Pro host by plan
                Plan = ConfigurationValues.Get(coinGecko, "Plan", defaults.CoinGecko.Plan),
                PageSize = ConfigurationValues.Get(coinGecko, "PageSize", defaults.CoinGecko.PageSize),
            },
            CoinGeckoRequestsPerMinute = ConfigurationValues.Get(section, "CoinGeckoRequestsPerMinute", defaults.CoinGeckoRequestsPerMinute),
            BinanceBaseUrl = ConfigurationValues.GetBaseUrl(section, "BinanceBaseUrl") ?? defaults.BinanceBaseUrl, // empty: Binance's own
            FilePath = section.GetValue<string?>("FilePath"),
            Http = ConfigurationValues.Bind(section.GetSection("Http"), defaults.Http),
            Validation = ConfigurationValues.Bind(section.GetSection("Validation"), defaults.Validation),
        };

        // The rules the market-data types enforce themselves, so that a value out of range names its key here
        // instead of failing later, deep in building the price sources.
        if (settings.Problem(Section) is { } problem)
        {
            throw new ConfigurationException(problem);
        }

        return (settings, ParseSecret(coinGecko.GetValue<string?>("ApiKeySecret")));
    }

    private static SecretKeyReference? ParseSecret(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var parts = text.Split('/');
        if (parts.Length == 3 && parts.All(p => p.Length > 0))
        {
            return new SecretKeyReference(parts[0], parts[1], parts[2]);
        }

        // The value is not shown: a key pasted here instead of its Secret's name would reach the log.
        var empty = parts.Count(p => p.Length == 0);
        throw new ConfigurationException(string.Create(
            CultureInfo.InvariantCulture,
            $"{Section}:CoinGecko:ApiKeySecret must name the key's Secret as namespace/name/key, three non-empty parts separated by '/'; the value given (not shown, in case it is the key itself) has {parts.Length} part{(parts.Length == 1 ? string.Empty : "s")}{(empty > 0 ? $", {empty} empty" : string.Empty)}"));
    }
}
