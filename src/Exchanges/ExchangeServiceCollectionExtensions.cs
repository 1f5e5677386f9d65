using CryptoIndex.Exchanges.Binance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace CryptoIndex.Exchanges;

/// <summary>Registers what the reconciler needs to build exchanges: the Binance HTTP client, the clock, metrics and the back-off.</summary>
public static class ExchangeServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> Binance requests go through.</summary>
    public const string BinanceHttpClient = "binance";

    /// <summary>
    /// The largest answer read from Binance (its largest, myTrades at 1,000 trades, is about 300 KB): a broken or
    /// hostile answer must not take the operator's memory.
    /// </summary>
    public const long MaxResponseBytes = 16 * 1024 * 1024;

    public static IServiceCollection AddCryptoIndexExchanges(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ExchangeMetrics(sp.GetService<CollectorRegistry>() ?? Metrics.DefaultRegistry));
        // One per process: Binance bans per IP, so every fund's client and the public-data clients share the back-off.
        services.TryAddSingleton<BinanceBackOff>();
        // Timeouts are the client's own, on the injected TimeProvider; retries are its own too, and only for reads.
        // No redirects: one to another host would carry the API key header along. No HttpClient logging: the
        // client's own lines (BinanceLog) name method, path and status; the factory's would log request URIs, whose
        // signed query strings only .NET's default redaction keeps out.
        services.AddHttpClient(BinanceHttpClient, client =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = MaxResponseBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .RemoveAllLoggers();
        services.TryAddSingleton<BinanceExchangeFactory>();
        return services;
    }
}

/// <summary>
/// Builds a <see cref="BinanceExchange"/> for a fund's credentials. Keep one per fund (or per account): it holds the
/// symbol-rule cache and the measured server-time offset. Every client it builds shares one <see cref="BinanceBackOff"/>.
/// </summary>
public sealed class BinanceExchangeFactory(IHttpClientFactory httpClients, TimeProvider time, ILoggerFactory loggers, ExchangeMetrics metrics, BinanceBackOff backOff)
{
    public BinanceExchange Create(BinanceCredentials credentials, BinanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentNullException.ThrowIfNull(loggers);
        return new BinanceExchange(httpClients.CreateClient(ExchangeServiceCollectionExtensions.BinanceHttpClient), credentials, options, time, loggers.CreateLogger<BinanceExchange>(), metrics, backOff);
    }

    /// <summary>
    /// A client for Binance's public data only (symbol rules), without credentials: it signs nothing and refuses every
    /// account or order request. Keep one per venue (it holds the symbol-rule cache).
    /// </summary>
    public BinanceExchange CreatePublic(BinanceOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClients);
        ArgumentNullException.ThrowIfNull(loggers);
        return BinanceExchange.PublicData(httpClients.CreateClient(ExchangeServiceCollectionExtensions.BinanceHttpClient), options, time, loggers.CreateLogger<BinanceExchange>(), metrics, backOff);
    }
}
