using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Load;

/// <summary>
/// CoinGecko's <c>/api/v3/simple/price</c> (prices, market caps, <c>last_updated_at</c>) and Binance's
/// <c>/api/v3/ticker/price</c> (the fallback, which should never be asked) on 127.0.0.1, counting every request.
/// </summary>
internal sealed class FakeCoinGecko : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TimeProvider clock;
    private int coinGeckoRequests;
    private int binanceRequests;
    private int maxIds;

    private FakeCoinGecko(WebApplication app, TimeProvider clock)
    {
        this.app = app;
        this.clock = clock;
    }

    public Uri CoinGeckoUrl { get; private set; } = null!;

    public Uri BinanceUrl { get; private set; } = null!;

    /// <summary>CoinGecko id → (USD price, USD market cap).</summary>
    public ConcurrentDictionary<string, (decimal Price, decimal MarketCap)> Prices { get; } = new(StringComparer.Ordinal);

    /// <summary>When set, every quote says it was last updated then (a market that did not move); else the clock's now.</summary>
    public DateTimeOffset? FrozenAt { get; set; }

    /// <summary>The <c>last_updated_at</c> the latest answer carried.</summary>
    public DateTimeOffset? LastUpdated { get; private set; }

    public int CoinGeckoRequests => Volatile.Read(ref coinGeckoRequests);

    public int BinanceRequests => Volatile.Read(ref binanceRequests);

    /// <summary>The most ids one CoinGecko request asked for.</summary>
    public int MaxIds => Volatile.Read(ref maxIds);

    public static async Task<FakeCoinGecko> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var feed = new FakeCoinGecko(app, clock);
        app.MapGet("/api/v3/simple/price", feed.SimplePriceAsync);
        app.MapGet("/api/v3/ticker/price", feed.TickerAsync);
        await app.StartAsync().ConfigureAwait(false);
        var root = new Uri(app.Urls.First() + "/");
        feed.CoinGeckoUrl = new Uri(root, "api/v3/");
        feed.BinanceUrl = root;
        return feed;
    }

    private async Task SimplePriceAsync(HttpContext context)
    {
        Interlocked.Increment(ref coinGeckoRequests);
        var ids = context.Request.Query["ids"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
        InterlockedMax(ref maxIds, ids.Length);
        var at = FrozenAt ?? clock.GetUtcNow();
        LastUpdated = at;
        var updated = at.ToUnixTimeSeconds();
        var body = new Dictionary<string, Dictionary<string, object>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (Prices.TryGetValue(id, out var quote))
            {
                body[id] = new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    ["usd"] = quote.Price,
                    ["usd_market_cap"] = quote.MarketCap,
                    ["last_updated_at"] = updated,
                };
            }
        }

        await context.Response.WriteAsJsonAsync(body).ConfigureAwait(false);
    }

    private async Task TickerAsync(HttpContext context)
    {
        Interlocked.Increment(ref binanceRequests);
        await context.Response.WriteAsJsonAsync(Array.Empty<object>()).ConfigureAwait(false);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen && Interlocked.CompareExchange(ref target, value, seen) is var before && before != seen)
        {
            seen = before;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }
}
