using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using CryptoIndex.MarketData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>
/// The operator on a fake clock against the fake Binance, whose account holds 10,000 USDT (the sixty-forty fund's
/// capital) with BTC at 50,000 and ETH at 2,500; prices come from a file in <c>folder</c>.
/// </summary>
internal static class BinanceOperator
{
    public const string OrderEndpoint = "POST /api/v3/order";

    /// <summary>The sixty-forty fund on Binance, with the keys in Secret <c>binance-keys</c>.</summary>
    public static string Manifest(string extraSpec = "") => SixtyFortyFund.Manifest(
        prices: "{provider: file, refreshInterval: 60s, maxAge: 6h}",
        exchange: "{kind: binance, feeRate: 0.1%, credentialsSecretRef: {name: binance-keys}}",
        extraSpec: extraSpec);

    public static async Task<(FakeBinance Binance, OperatorUnderTest Operator)> StartAsync(
        FakeTimeProvider clock, string folder, Action<IServiceCollection>? services = null)
    {
        var account = new FakeState();
        account.Balances["USDT"] = 10_000m; // the fund's capital, and all the account holds
        account.Prices["BTC"] = 50_000m;
        account.Prices["ETH"] = 2_500m;
        account.Symbols["BTC"] = new FakeSymbol(StepSize: 0.00001m, MinQuantity: 0.00001m, MaxQuantity: 9000m, MinNotional: 5m);
        account.Symbols["ETH"] = new FakeSymbol(StepSize: 0.0001m, MinQuantity: 0.0001m, MaxQuantity: 90000m, MinNotional: 5m);
        var binance = await FakeBinance.StartAsync(account, clock);
        await File.WriteAllTextAsync(Path.Combine(folder, "prices.json"), SixtyFortyFund.Prices(clock.GetUtcNow()));
        var op = await OperatorUnderTest.StartAsync(
            new PriceProviderSettings { FilePath = Path.Combine(folder, "prices.json") },
            clock,
            binance.BaseAddress,
            services,
            gracefulShutdown: TimeSpan.FromSeconds(2)); // shorter than Binance's 5 s receive window: see the restart test
        return (binance, op);
    }

    /// <summary>Secret <c>binance-keys</c> with the given keys (the fund's account's by default).</summary>
    public static Task<string> CreateSecretAsync(Kubectl kubectl, string apiKey = FakeBinance.ApiKey, string secretKey = FakeBinance.SecretKey) =>
        kubectl.OkAsync("create", "secret", "generic", "binance-keys", "--from-literal=apiKey=" + apiKey, "--from-literal=secretKey=" + secretKey);

    public static async Task ReplaceSecretAsync(Kubectl kubectl, string apiKey, string secretKey)
    {
        await kubectl.OkAsync("delete", "secret", "binance-keys");
        await CreateSecretAsync(kubectl, apiKey, secretKey);
    }

    /// <summary>How many orders reached the exchange (refused ones included).</summary>
    public static int OrdersPosted(FakeBinance binance) => binance.RequestLog.Count(r => r.StartsWith(OrderEndpoint, StringComparison.Ordinal));
}
