using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace CryptoIndex.Exchanges.Tests;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task The_factory_builds_a_working_binance_client_from_the_container()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var registry = Metrics.NewCustomRegistry();
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(fund.Time)
            .AddSingleton(registry)
            .AddCryptoIndexExchanges()
            .BuildServiceProvider();

        var exchange = provider.GetRequiredService<BinanceExchangeFactory>().Create(
            new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey), new BinanceOptions { BaseAddress = fund.Fake.BaseAddress, ReadRetries = 0 });
        Assert.Equal(5000m, (await exchange.GetBalancesAsync([], default)).Cash);
        Assert.Same(provider.GetRequiredService<ExchangeMetrics>(), provider.GetRequiredService<ExchangeMetrics>());
    }
}
