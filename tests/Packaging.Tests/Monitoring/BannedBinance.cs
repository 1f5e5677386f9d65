using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CryptoIndex.Packaging.Tests.Monitoring;

/// <summary>
/// A Binance that has banned the operator's IP: every request is answered 418 with an hour's Retry-After, as Binance
/// does. A dry-run Binance fund asks it for exchangeInfo once, so the scrape has the exchange request and back-off series.
/// </summary>
public sealed class BannedBinance : IAsyncDisposable
{
    private readonly WebApplication app;

    private BannedBinance(WebApplication app, Uri address)
    {
        this.app = app;
        BaseAddress = address;
    }

    public Uri BaseAddress { get; }

    public static async Task<BannedBinance> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.StatusCode = 418;
            context.Response.Headers.RetryAfter = "3600";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"code":-1003,"msg":"Way too much request weight used; IP banned."}""", context.RequestAborted);
        });
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new BannedBinance(app, new Uri($"http://127.0.0.1:{bound.Port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
