using CryptoIndex.Exchanges.Binance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace CryptoIndex.Exchanges;

/// <summary>Registers what the reconciler needs to build exchanges: the Binance HTTP client, the clock and metrics.</summary>
public static class ExchangeServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> Binance requests go through.</summary>
    public const string BinanceHttpClient = "binance";

    public static IServiceCollection AddCryptoIndexExchanges(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ExchangeMetrics(sp.GetService<CollectorRegistry>() ?? Metrics.DefaultRegistry));
        // Timeouts are the client's own, on the injected TimeProvider; retries are its own too, and only for reads.
        services.AddHttpClient(BinanceHttpClient, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton<BinanceExchangeFactory>();
        return services;
    }
}

/// <summary>
/// Builds a <see cref="BinanceExchange"/> for a fund's credentials. Keep one per fund (or per account): it holds the
/// symbol-rule cache and the measured server-time offset.
/// </summary>
public sealed class BinanceExchangeFactory(IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory loggers)
{
    public BinanceExchange Create(BinanceCredentials credentials, BinanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentNullException.ThrowIfNull(loggers);
        return new BinanceExchange(httpClients.CreateClient(ExchangeServiceCollectionExtensions.BinanceHttpClient), credentials, options, time, loggers.CreateLogger<BinanceExchange>());
    }
}
