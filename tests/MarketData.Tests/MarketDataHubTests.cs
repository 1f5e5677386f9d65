using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace CryptoIndex.MarketData.Tests;

public sealed class MarketDataHubTests
{
    [Fact]
    public async Task Funds_naming_the_same_provider_share_one_cache_and_the_file_provider_needs_no_network()
    {
        await using var h = await MarketHarness.StartAsync();
        h.SetPrice(MarketHarness.Btc, 42m, 4_200m);
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{"observedAt": "2026-01-01T00:00:00Z", "assets": {"BTC": {"price": "41", "marketCap": "4100"}}}""");
        var settings = new PriceProviderSettings
        {
            CoinGecko = new CoinGeckoOptions { BaseUrl = h.Server.CoinGeckoUrl },
            BinanceBaseUrl = h.Server.BinanceUrl,
            FilePath = file,
        };
        using var hub = new MarketDataHub(settings, h.Clock, NullLoggerFactory.Instance, new MarketDataMetrics(Metrics.NewCustomRegistry()));

        var coinGecko = hub.For(PriceProviders.CoinGecko, out _)!;
        Assert.Same(coinGecko, hub.For("coingecko", out _));
        var fromCoinGecko = await h.Drive(coinGecko.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), CancellationToken.None));
        var fromFile = await hub.For(PriceProviders.File, out _)!.GetSnapshotAsync([MarketHarness.Btc], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(42m, fromCoinGecko.Quotes[MarketHarness.Btc].Price);
        Assert.Equal(("file", 41m), (fromFile.Quotes[MarketHarness.Btc].Source, fromFile.Quotes[MarketHarness.Btc].Price));
        File.Delete(file);
    }

    [Theory]
    [InlineData("file", "price provider 'file' is not configured in this operator")]
    [InlineData("kraken", "unknown price provider 'kraken'; use one of coingecko, binance, file")]
    public void An_unavailable_provider_is_explained(string provider, string reason)
    {
        using var hub = new MarketDataHub(new PriceProviderSettings(), TimeProvider.System, NullLoggerFactory.Instance, new MarketDataMetrics(Metrics.NewCustomRegistry()));

        Assert.Null(hub.For(provider, out var why));
        Assert.Equal(reason, why);
    }
}
