using System.Globalization;
using System.Net;
using System.Text;
using System.Web;
using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// An order look-up reads the order's trades page by page until they add up to its executed quantity. An answer whose
/// trades never add up (zero or dust quantities, full pages for ever) ends the look-up as an unreadable answer after a
/// bounded number of requests, instead of paging (and holding the trades in memory) without end.
/// </summary>
public sealed class TradesLookupBoundTests
{
    /// <summary>Past this many pages the endless answer gives up itself, with an error the look-up maps to Rejected.</summary>
    private const int EndlessUntil = BinanceExchange.MaxTradesPages + 10;

    [Theory]
    [InlineData("0.00000001", BinanceExchange.MaxTradesPages)]
    [InlineData("0", 1)]
    public async Task Trades_that_never_add_up_end_the_look_up_as_an_unreadable_answer(string quantity, int pagesRead)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero));
        using var endless = new EndlessTrades(quantity, time);
        using var http = new HttpClient(endless) { Timeout = Timeout.InfiniteTimeSpan };
        var logs = new RecordingLoggerProvider();
        var exchange = new BinanceExchange(
            http, new BinanceCredentials("key", "secret"), new BinanceOptions { BaseAddress = new Uri("https://binance.test/"), ReadRetries = 0 }, time, logs.For<BinanceExchange>());

        var error = await Assert.ThrowsAsync<ExchangeException>(() => exchange.FindOrderAsync("BTC", "ci-dust", default));

        Assert.Equal(ExchangeErrorKind.InvalidResponse, error.Kind);
        Assert.Equal(pagesRead, endless.Pages);
    }

    /// <summary>An order of 1 BTC executed, and every page of its trades full of trades of <c>quantity</c> each.</summary>
    private sealed class EndlessTrades(string quantity, TimeProvider time) : HttpMessageHandler
    {
        public int Pages { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var query = HttpUtility.ParseQueryString(request.RequestUri.Query);
            var body = path switch
            {
                "/api/v3/time" => $"{{\"serverTime\":{time.GetUtcNow().ToUnixTimeMilliseconds()}}}",
                "/api/v3/order" => "{\"symbol\":\"BTCUSDT\",\"orderId\":1,\"clientOrderId\":\"ci-dust\",\"side\":\"BUY\",\"status\":\"FILLED\",\"executedQty\":\"1\",\"origQty\":\"1\"}",
                "/api/v3/myTrades" when ++Pages <= EndlessUntil => Page(long.Parse(query["fromId"]!, CultureInfo.InvariantCulture)),
                _ => null,
            };
            return Task.FromResult(body is null
                ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("{\"code\":-1100,\"msg\":\"no more\"}") }
                : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }

        private string Page(long fromId) =>
            "[" + string.Join(',', Enumerable.Range(0, 1000).Select(i => string.Create(
                CultureInfo.InvariantCulture,
                $"{{\"id\":{fromId + i},\"orderId\":1,\"price\":\"100\",\"qty\":\"{quantity}\",\"commission\":\"0\",\"commissionAsset\":\"USDT\"}}"))) + "]";
    }
}
