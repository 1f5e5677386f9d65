using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.MarketData.Tests.Fakes;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// The CoinGecko API key reaches no log line, snapshot failure, rejection or exception, whichever way CoinGecko fails:
/// refused key (401, 403), rate limit, server error, timeout, malformed or cut-off answer, a connection refused (an
/// exception with an inner exception).
/// </summary>
public sealed class CoinGeckoKeyLeakTests
{
    private const string Key = "CG-leak-7f3a9c21d0e8";

    [Fact]
    public async Task The_key_appears_in_no_log_failure_rejection_or_exception_whatever_coingecko_answers()
    {
        await using var h = await MarketHarness.StartAsync(
            new CoinGeckoOptions { Plan = CoinGeckoPlan.Pro, ApiKey = Key }, new SourceHttpOptions { MaxRetries = 0, BreakerMinimumThroughput = 100 });
        h.SetPrice(MarketHarness.Btc, 100m, 1_000m);
        var texts = new List<string>();
        (FaultKind Kind, int Status)[] faults =
        [
            (FaultKind.Status, 401), (FaultKind.Status, 403), (FaultKind.Status, 429), (FaultKind.Status, 500), (FaultKind.MalformedJson, 200),
            (FaultKind.Hang, 0), (FaultKind.SlowBody, 200),
        ];
        foreach (var (kind, status) in faults)
        {
            h.Server.Fail("coingecko", kind, status: status);
            var snapshot = await h.SnapshotAsync([MarketHarness.Btc], TimeSpan.FromMilliseconds(1));
            Assert.NotEmpty(snapshot.SourceFailures); // CoinGecko failed; Binance served the price
            texts.AddRange(snapshot.SourceFailures);
            texts.AddRange(snapshot.Rejections.Select(r => r.Message));
            h.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Nothing listens there: HttpRequestException, with the socket error as its inner exception.
        using var refused = new HttpClient(new SocketsHttpHandler());
        var direct = new CoinGeckoSource(refused, new CoinGeckoOptions { BaseUrl = new Uri("http://127.0.0.1:1/api/v3/"), ApiKey = Key }, h.Clock);
        var error = await Assert.ThrowsAsync<PriceSourceException>(() => direct.FetchAsync([MarketHarness.Btc], CancellationToken.None));
        Assert.NotNull(error.InnerException);
        texts.Add(error.ToString());
        texts.AddRange(h.Logger.Lines.Select(l => l.Message));

        Assert.Contains(texts, t => t.Contains("HTTP 401", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("timed out", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("malformed JSON", StringComparison.Ordinal));
        Assert.All(h.Server.Requests.Where(r => r.Provider == "coingecko"), r => Assert.Equal(Key, r.Headers["x-cg-pro-api-key"])); // sent, in its header only
        Assert.All(texts, t => Assert.DoesNotContain(Key, t, StringComparison.Ordinal));
        Assert.All(texts, t => Assert.DoesNotContain(Key[..10], t, StringComparison.Ordinal));
    }
}
