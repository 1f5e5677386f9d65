using System.Net;
using System.Text;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Sources;
using CryptoIndex.Operator.Cli;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Cli;

/// <summary>
/// <c>plan --provider coingecko --coingecko-url</c> names "a proxy, or the Pro host". CoinGecko takes a key only in its
/// plan's header on its plan's host: on <c>pro-api.coingecko.com</c> only <c>x-cg-pro-api-key</c> (without it: error
/// 10002, key missing), elsewhere a Pro key is refused (10010). So the Pro host must get the Pro header.
/// </summary>
public sealed class CoinGeckoProHostTests
{
    [Theory]
    [InlineData("https://pro-api.coingecko.com/api/v3/")]
    [InlineData("https://api.coingecko.com/api/v3/")]
    [InlineData("http://127.0.0.1:8080/api/v3/")]
    public async Task The_key_goes_in_the_header_the_host_accepts(string url)
    {
        var coinGecko = new CoinGeckoLike();
        using var http = new HttpClient(coinGecko);
        var source = new CoinGeckoSource(http, PlanInputs.LiveOptions(new Uri(url), "CG-key-from-env"), new FakeTimeProvider());

        var result = await source.FetchAsync([new AssetRef("BTC", "bitcoin", "BTCUSDT")], CancellationToken.None);

        Assert.Equal(100m, Assert.Single(result.Quotes).Price);
        Assert.Equal(new Uri(url).Host, Assert.Single(coinGecko.Hosts));
    }

    /// <summary>CoinGecko's key rules (docs.coingecko.com, "Errors &amp; Rate Limits"), then a price for bitcoin.</summary>
    private sealed class CoinGeckoLike : HttpMessageHandler
    {
        public List<string> Hosts { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var host = request.RequestUri!.Host;
            Hosts.Add(host);
            var (status, body) = (host == "pro-api.coingecko.com", request.Headers.Contains("x-cg-pro-api-key")) switch
            {
                (true, false) => (HttpStatusCode.Unauthorized, """{"status":{"error_code":10002,"error_message":"API Key Missing"}}"""),
                (false, true) => (HttpStatusCode.Unauthorized, """{"status":{"error_code":10010,"error_message":"If you are using Pro API key, please change your root URL from api.coingecko.com to pro-api.coingecko.com"}}"""),
                _ => (HttpStatusCode.OK, """{"bitcoin":{"usd":100,"usd_market_cap":1000,"last_updated_at":1767225600}}"""),
            };
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
