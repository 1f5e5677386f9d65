using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>The Binance HTTP client as the operator registers it: what it refuses to do with an answer.</summary>
public sealed class BinanceHttpClientTests
{
    private const string Account = "GET /api/v3/account";

    [Fact]
    public async Task A_redirect_is_not_followed_so_the_api_key_goes_nowhere_else()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(Account, Fault.RedirectElsewhere());

        var error = await Assert.ThrowsAsync<ExchangeException>(() => Registered(fund).GetBalancesAsync(["BTC"], CancellationToken.None));

        Assert.DoesNotContain(fund.Fake.RequestLog, r => r.Contains("elsewhere", StringComparison.Ordinal));
        Assert.Contains("302", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_larger_than_the_limit_is_a_failed_read_not_an_operator_out_of_memory()
    {
        await using var fund = await BinanceFund.CreateAsync();
        fund.Fake.Inject(Account, Fault.HugeAnswer(ExchangeServiceCollectionExtensions.MaxResponseBytes + (4 << 20)));

        var error = await Assert.ThrowsAsync<ExchangeException>(() => Registered(fund).GetBalancesAsync(["BTC"], CancellationToken.None));

        Assert.Equal(ExchangeErrorKind.Unavailable, error.Kind);
        Assert.Contains("ConfigurationLimitExceeded", error.Message, StringComparison.Ordinal);
    }

    private static BinanceExchange Registered(BinanceFund fund)
    {
        // The fund's own registry: the process-wide default one is shared by every test in the assembly (MetricsTests
        // checks that nothing writes to it).
        var services = new ServiceCollection().AddLogging().AddSingleton<TimeProvider>(fund.Time).AddSingleton(fund.Registry).AddCryptoIndexExchanges().BuildServiceProvider();
        return services.GetRequiredService<BinanceExchangeFactory>().Create(
            new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey),
            new BinanceOptions { BaseAddress = fund.Fake.BaseAddress, ReadRetries = 0 });
    }
}
