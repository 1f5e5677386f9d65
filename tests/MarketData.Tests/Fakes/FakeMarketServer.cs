using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.MarketData.Tests.Fakes;

/// <summary>
/// A local server (Kestrel on 127.0.0.1, random port) that answers like CoinGecko's <c>/api/v3/simple/price</c> and
/// Binance's <c>/api/v3/ticker/price</c>, from prices a test sets, and injects faults on request: statuses with
/// Retry-After, malformed bodies, hanging responses, absurd values. Every request is recorded with the fake time.
/// </summary>
public sealed class FakeMarketServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly TimeProvider clock;
    private readonly ConcurrentQueue<Fault> faults = new();
    private readonly ConcurrentDictionary<string, byte> hanging = new(StringComparer.Ordinal);

    private FakeMarketServer(WebApplication app, TimeProvider clock)
    {
        this.app = app;
        this.clock = clock;
    }

    public Uri CoinGeckoUrl => new(BaseUrl, "api/v3/");

    public Uri BinanceUrl => BaseUrl;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>CoinGecko id → (USD price, USD market cap); the currency key written is <see cref="Currency"/>.</summary>
    public ConcurrentDictionary<string, (decimal Price, decimal? MarketCap)> CoinGecko { get; } = new(StringComparer.Ordinal);

    /// <summary>Binance pair → price.</summary>
    public ConcurrentDictionary<string, decimal> Binance { get; } = new(StringComparer.Ordinal);

    public string Currency { get; set; } = "usd";

    /// <summary>Overrides CoinGecko's <c>last_updated_at</c> (Unix seconds) for every entry.</summary>
    public long? LastUpdatedOverride { get; set; }

    /// <summary>Where <see cref="FaultKind.Redirect"/> sends the client.</summary>
    public Uri? RedirectTo { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<FakeMarketServer> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeMarketServer(app, clock);
        app.MapGet("/api/v3/simple/price", server.SimplePriceAsync);
        app.MapGet("/api/v3/ticker/price", server.TickerAsync);
        await app.StartAsync().ConfigureAwait(false);
        server.BaseUrl = new Uri(app.Urls.First() + "/");
        return server;
    }

    /// <summary>The next <paramref name="count"/> requests to <paramref name="provider"/> get this fault.</summary>
    public void Fail(string provider, FaultKind kind, int count = 1, int status = 500, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++)
        {
            faults.Enqueue(new Fault(provider, kind, status, retryAfter));
        }
    }

    /// <summary>Whether the server is holding open on purpose the request with this <see cref="InFlightHandler.IdHeader"/>.</summary>
    public bool IsHanging(string requestId) => hanging.ContainsKey(requestId);

    public int CountRequests(string provider) => Requests.Count(r => r.Provider == provider);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task SimplePriceAsync(HttpContext context)
    {
        Record(context, "coingecko");
        if (await ApplyFaultAsync(context, "coingecko").ConfigureAwait(false))
        {
            return;
        }

        var ids = context.Request.Query["ids"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
        var currency = Currency;
        var body = new Dictionary<string, Dictionary<string, object>>(StringComparer.Ordinal);
        foreach (var id in ids)
        {
            if (CoinGecko.TryGetValue(id, out var value))
            {
                var entry = new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    [currency] = value.Price,
                    ["last_updated_at"] = LastUpdatedOverride ?? clock.GetUtcNow().ToUnixTimeSeconds(),
                };
                if (value.MarketCap is { } cap)
                {
                    entry[currency + "_market_cap"] = cap;
                }

                body[id] = entry;
            }
        }

        await context.Response.WriteAsJsonAsync(body).ConfigureAwait(false);
    }

    private async Task TickerAsync(HttpContext context)
    {
        Record(context, "binance");
        if (await ApplyFaultAsync(context, "binance").ConfigureAwait(false))
        {
            return;
        }

        var body = Binance.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new { symbol = p.Key, price = p.Value.ToString(CultureInfo.InvariantCulture) });
        await context.Response.WriteAsJsonAsync(body).ConfigureAwait(false);
    }

    private void Record(HttpContext context, string provider) =>
        Requests.Enqueue(new RecordedRequest(
            provider,
            context.Request.Path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            clock.GetUtcNow()));

    private async Task<bool> ApplyFaultAsync(HttpContext context, string provider)
    {
        if (!faults.TryPeek(out var fault) || fault.Provider != provider || !faults.TryDequeue(out fault))
        {
            return false;
        }

        switch (fault.Kind)
        {
            case FaultKind.None:
                return false;
            case FaultKind.Status:
                context.Response.StatusCode = fault.Status;
                if (fault.RetryAfter is { } after)
                {
                    context.Response.Headers.RetryAfter = ((int)after.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }

                await context.Response.WriteAsync("{\"error\":\"injected\"}").ConfigureAwait(false);
                return true;
            case FaultKind.MalformedJson:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"bitcoin\": {\"usd\": 4").ConfigureAwait(false);
                return true;
            case FaultKind.Redirect:
                context.Response.StatusCode = 302;
                context.Response.Headers.Location = new Uri(RedirectTo!, context.Request.Path + context.Request.QueryString).ToString();
                return true;
            case FaultKind.SlowBody:
                // Headers and half a body, then nothing: reading the body must count against the attempt timeout.
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"bitcoin\": {\"usd\": ").ConfigureAwait(false);
                await context.Response.Body.FlushAsync().ConfigureAwait(false);
                goto case FaultKind.Hang;
            case FaultKind.Hang:
                // Never answers; the client's attempt timeout (on the fake clock) must give up on it.
                var id = context.Request.Headers[InFlightHandler.IdHeader].ToString();
                hanging[id] = 0;
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                }
                finally
                {
                    hanging.TryRemove(id, out _);
                }

                return true;
            default:
                return false;
        }
    }

    private sealed record Fault(string Provider, FaultKind Kind, int Status, TimeSpan? RetryAfter);
}

public enum FaultKind
{
    /// <summary>Answered as usual: lets a fault queued after it hit a later request.</summary>
    None,
    Status,
    MalformedJson,
    Hang,
    SlowBody,
    Redirect,
}

public sealed record RecordedRequest(string Provider, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, DateTimeOffset At);
