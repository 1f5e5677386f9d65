using System.Text.Json;
using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// The API key and secret never reach a log line, a recorded status, a result reason, an exception message or a
/// metric, whatever goes wrong: every fault kind is injected, including refused credentials.
/// </summary>
public sealed class SecretLeakTests
{
    [Fact]
    public async Task Credentials_appear_in_no_log_status_error_or_metric()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var texts = new List<string>();
        Fault[] faults =
        [
            Fault.Reject(-2010, "Account has insufficient balance for requested action. " + FakeBinance.ApiKey),
            Fault.TimeoutAfter(), Fault.ServerErrorAfter(), Fault.ServerErrorBefore(), Fault.DropAfter(), Fault.TooManyRequests(429, 5),
            Fault.TooManyRequests(418, 60), Fault.Reject(-1013, "Filter failure: LOT_SIZE"), Fault.Partial(0.5m),
        ];
        foreach (var fault in faults)
        {
            fund.Fake.Inject("POST /api/v3/order", fault);
        }

        var result = await Driver.RunToEndAsync(fund.Executor(), fund.Start(), fund.Time);
        texts.Add(result.Reason ?? string.Empty);
        fund.Fake.ClearFaults(); // the run may end before it has sent as many orders as there are faults

        // Refused credentials: a wrong secret and an unknown key, as an operator with a bad Secret would see them.
        foreach (var credentials in new[] { new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey + "x"), new BinanceCredentials(FakeBinance.ApiKey + "x", FakeBinance.SecretKey) })
        {
            var exchange = fund.Exchange(credentials);
            texts.Add(credentials.ToString());
            foreach (var call in new Func<Task>[]
            {
                () => exchange.GetBalancesAsync(["BTC"], default),
                () => exchange.PlaceMarketOrderAsync(new MarketOrder("ci-x", "BTC", Engine.Planning.OrderSide.Buy, 0.001m, fund.Time.GetUtcNow()), default),
                () => exchange.FindOrderAsync("BTC", "ci-x", default),
            })
            {
                var error = await Assert.ThrowsAsync<ExchangeException>(call);
                Assert.Equal(ExchangeErrorKind.Unauthorized, error.Kind);
                texts.Add(error.ToString());
            }

            var refused = await Driver.RunToEndAsync(
                fund.Executor(credentials: credentials, options: new ExecutorOptions(RetryDelay: TimeSpan.FromSeconds(1))), fund.Start(sequence: 2), fund.Time, maxCalls: 3).ContinueWith(t => t.Exception?.ToString() ?? t.Result.Reason);
            texts.Add(refused ?? string.Empty);
        }

        texts.AddRange(fund.Journal.History.Select(r => JsonSerializer.Serialize(r)));
        texts.Add(fund.Logs.AllText);
        using var metrics = new MemoryStream();
        await fund.Registry.CollectAndExportAsTextAsync(metrics);
        texts.Add(System.Text.Encoding.UTF8.GetString(metrics.ToArray()));

        Assert.Contains(texts, t => t.Contains("insufficient balance", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("Unauthorized", StringComparison.Ordinal) || t.Contains("API key", StringComparison.Ordinal));
        Assert.True(fund.Logs.Lines.Count > 20, "the scan needs log lines to scan");
        foreach (var text in texts)
        {
            Assert.DoesNotContain(FakeBinance.ApiKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(FakeBinance.SecretKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain("signature=", text, StringComparison.Ordinal);
        }
    }
}
