using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.MarketData;

/// <summary>
/// One shared <see cref="MarketDataService"/> per provider chain, built from the operator's settings, so that every
/// fund naming the same provider shares one cache, one HTTP client per source and one request budget.
/// </summary>
public sealed class MarketDataHub : IDisposable
{
    private readonly Dictionary<string, MarketDataService> services = new(StringComparer.Ordinal);
    private readonly List<IDisposable> owned = [];

    /// <remarks><paramref name="coinGeckoKey"/>: where CoinGecko's current API key comes from (see <see cref="CoinGeckoSource"/>); null: the settings' key.</remarks>
    public MarketDataHub(
        PriceProviderSettings settings, TimeProvider time, ILoggerFactory loggers, MarketDataMetrics metrics, Func<HttpMessageHandler>? network = null,
        Func<CancellationToken, ValueTask<string>>? coinGeckoKey = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggers);
        if (settings.Problem(nameof(PriceProviderSettings)) is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        var logger = loggers.CreateLogger<MarketDataService>();
        if (settings.Substitute is { } substitute)
        {
            var shared = new MarketDataService(substitute.Name, [substitute], settings.Validation, time, logger, metrics);
            foreach (var provider in PriceProviders.All)
            {
                services[provider] = shared;
            }

            return;
        }

        var budget = Own(RequestBudget.PerMinute(settings.CoinGeckoRequestsPerMinute, time));
        var coinGecko = new CoinGeckoSource(Own(ResilientHttpClient.Create(settings.Http, time, network?.Invoke(), budget)), settings.CoinGecko, time, coinGeckoKey);
        var binance = new BinanceTickerSource(Own(ResilientHttpClient.Create(settings.Http, time, network?.Invoke())), settings.BinanceBaseUrl, time);

        services[PriceProviders.CoinGecko] = new MarketDataService(PriceProviders.CoinGecko, [coinGecko, binance], settings.Validation, time, logger, metrics);
        services[PriceProviders.Binance] = new MarketDataService(PriceProviders.Binance, [binance], settings.Validation, time, logger, metrics);
        if (settings.FilePath is { } path)
        {
            services[PriceProviders.File] = new MarketDataService(PriceProviders.File, [FileSource.FromPath(path)], settings.Validation, time, logger, metrics);
        }
    }

    /// <summary>The shared cache for a provider, or null (with the reason) when the operator does not offer it.</summary>
    public MarketDataService? For(string provider, out string? reason)
    {
        if (services.TryGetValue(provider, out var service))
        {
            reason = null;
            return service;
        }

        reason = PriceProviders.All.Contains(provider, StringComparer.Ordinal)
            ? $"price provider '{provider}' is not configured in this operator"
            : $"unknown price provider '{provider}'; use one of {string.Join(", ", PriceProviders.All)}";
        return null;
    }

    /// <summary>Updates the price-age gauges of every cache; call before a scrape.</summary>
    public void UpdateAgeMetrics()
    {
        foreach (var service in services.Values)
        {
            service.UpdateAgeMetrics();
        }
    }

    public void Dispose()
    {
        foreach (var disposable in owned)
        {
            disposable.Dispose();
        }
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        owned.Add(disposable);
        return disposable;
    }
}
