using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace CryptoIndex.MarketData.Tests.Fakes;

/// <summary>
/// A price cache wired as in production (CoinGecko first, Binance as fallback, resilient HTTP clients) against a
/// <see cref="FakeMarketServer"/>, on a <see cref="FakeTimeProvider"/>.
/// </summary>
public sealed class MarketHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<HttpClient> clients = [];
    private readonly List<InFlightHandler> handlers = [];

    private MarketHarness(FakeMarketServer server, FakeTimeProvider clock)
    {
        Server = server;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }

    public FakeMarketServer Server { get; }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public RecordingLogger<MarketDataService> Logger { get; } = new();

    public MarketDataService Service { get; private set; } = null!;

    public RequestBudget? Budget { get; private set; }

    public static async Task<MarketHarness> StartAsync(
        CoinGeckoOptions? coinGecko = null, SourceHttpOptions? http = null, MarketDataOptions? options = null, bool withBinance = true, int? requestsPerMinute = null)
    {
        var clock = new FakeTimeProvider(Start);
        var harness = new MarketHarness(await FakeMarketServer.StartAsync(clock), clock);
        var httpOptions = http ?? new SourceHttpOptions();
        harness.Budget = requestsPerMinute is { } perMinute ? RequestBudget.PerMinute(perMinute, clock) : null;
        var sources = new List<IPriceSource>
        {
            new CoinGeckoSource(
                harness.Client(httpOptions, harness.Budget),
                (coinGecko ?? new CoinGeckoOptions()) with { BaseUrl = coinGecko?.BaseUrl ?? harness.Server.CoinGeckoUrl },
                clock),
        };
        if (withBinance)
        {
            sources.Add(new BinanceTickerSource(harness.Client(httpOptions, null), harness.Server.BinanceUrl, clock));
        }

        harness.Service = new MarketDataService("coingecko", sources, options ?? new MarketDataOptions(), clock, harness.Logger, new MarketDataMetrics(harness.Registry));
        return harness;
    }

    public static AssetRef Btc => new("BTC", "bitcoin", "BTCUSDT");

    public static AssetRef Eth => new("ETH", "ethereum", "ETHUSDT");

    public static AssetRef Sol => new("SOL", "solana", "SOLUSDT");

    public static IReadOnlyList<AssetRef> ThreeAssets { get; } = [Btc, Eth, Sol];

    /// <summary>A harness with BTC, ETH and SOL priced (with market caps) on both fake providers.</summary>
    public static async Task<MarketHarness> PricedAsync(CoinGeckoOptions? coinGecko = null, SourceHttpOptions? http = null, MarketDataOptions? options = null)
    {
        var h = await StartAsync(coinGecko, http, options);
        h.SetPrice(Btc, 50_000m, 1_000_000_000_000m);
        h.SetPrice(Eth, 2_500m, 300_000_000_000m);
        h.SetPrice(Sol, 100m, 40_000_000_000m);
        return h;
    }

    /// <summary>Sets the same prices on both fake providers.</summary>
    public void SetPrice(AssetRef asset, decimal price, decimal? marketCap)
    {
        Server.CoinGecko[asset.CoinGeckoId!] = (price, marketCap);
        Server.Binance[asset.BinancePair!] = price;
    }

    public Task<MarketSnapshot> SnapshotAsync(IReadOnlyCollection<AssetRef> assets, TimeSpan? refreshInterval = null) =>
        Drive(Service.GetSnapshotAsync(assets, refreshInterval ?? TimeSpan.FromMinutes(1), CancellationToken.None));

    /// <summary>Drives <paramref name="operation"/> on the fake clock, idle while every request in flight is one the
    /// server hangs on (matched by id: one the client gave up on but the server still holds is not counted).</summary>
    public Task<T> Drive<T>(Task<T> operation, TimeSpan? step = null) =>
        Clock.DriveAsync(operation, step ?? TimeSpan.FromMilliseconds(250), () => handlers.All(h => h.InFlight.All(Server.IsHanging)));

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        Budget?.Dispose();
        await Server.DisposeAsync();
    }

    /// <summary>A resilient client whose requests the clock driver can see in flight.</summary>
    public HttpClient Client(SourceHttpOptions options, RequestBudget? budget = null)
    {
        var handler = new InFlightHandler();
        handlers.Add(handler);
        var client = ResilientHttpClient.Create(options, Clock, handler, budget);
        clients.Add(client);
        return client;
    }
}
