using CryptoIndex.MarketData.Http;
using CryptoIndex.MarketData.Sources;

namespace CryptoIndex.MarketData.Tests;

/// <summary>What counts as a base URL, how one is made to resolve relative paths under it, and that its credentials are never shown.</summary>
public sealed class HttpUrlsTests
{
    [Theory]
    [InlineData("https://api.coingecko.com/api/v3/", true)]
    [InlineData("http://binance-proxy.internal:8080/", true)]
    [InlineData("HTTP://proxy/", true)]
    [InlineData("localhost:8080", false)] // an absolute URI with the "scheme" localhost
    [InlineData("my-proxy:8080/api/v3/", false)]
    [InlineData("ftp://proxy/", false)]
    [InlineData("proxy.local/api/v3/", false)]
    public void Only_absolute_http_and_https_urls_are_base_urls(string text, bool http) =>
        Assert.Equal(http, HttpUrls.IsHttp(new Uri(text, UriKind.RelativeOrAbsolute)));

    [Theory]
    [InlineData("https://proxy/api/v3", "https://proxy/api/v3/")]
    [InlineData("https://proxy/api/v3/", "https://proxy/api/v3/")]
    [InlineData("http://proxy:8080", "http://proxy:8080/")]
    [InlineData("https://user:token@proxy/api/v3", "https://user:token@proxy/api/v3/")]
    public void A_base_url_gets_the_trailing_slash_that_keeps_its_last_segment(string text, string expected)
    {
        var url = HttpUrls.AsBase(new Uri(text));

        Assert.Equal(expected, url.AbsoluteUri);
        Assert.Equal(expected + "simple/price?ids=bitcoin", new Uri(url, "simple/price?ids=bitcoin").AbsoluteUri);
    }

    [Fact]
    public void Without_the_trailing_slash_the_last_segment_would_be_lost() =>
        Assert.Equal("https://proxy/api/simple/price", new Uri(new Uri("https://proxy/api/v3"), "simple/price").AbsoluteUri);

    [Theory]
    [InlineData("https://user:token@proxy/", "https://***@proxy/")]
    [InlineData("https://token@proxy:8443/api/v3/?x=a@b", "https://***@proxy:8443/api/v3/?x=a@b")]
    [InlineData("user:token@proxy/", "***@proxy/")]
    [InlineData("https://user:token@", "https://***@")]
    [InlineData("https://proxy/api@v3/", "https://proxy/api@v3/")]
    [InlineData("binance-proxy", "binance-proxy")]
    [InlineData("", "")]
    public void User_info_is_never_shown(string text, string shown) =>
        Assert.Equal(shown, HttpUrls.Redact(text));

    [Fact]
    public void Neither_a_problem_nor_the_options_show_a_password_in_the_url()
    {
        var options = new CoinGeckoOptions { BaseUrl = new Uri("https://user:token@proxy/"), ApiKey = "CG-secret" };
        var refused = new CoinGeckoOptions { BaseUrl = new Uri("ftp://user:token@proxy/") };
        var binance = new PriceProviderSettings { BinanceBaseUrl = new Uri("user:token@proxy:8080/") };

        Assert.Null(options.Problem("CoinGecko"));
        Assert.Equal("CoinGeckoOptions { BaseUrl = https://***@proxy/, Plan = Demo, ApiKey = ***, VsCurrency = usd, PageSize = 250 }", options.ToString());
        Assert.Equal("CoinGecko:BaseUrl must be an absolute http(s) URL such as https://api.coingecko.com/api/v3/, not 'ftp://***@proxy/'", refused.Problem("CoinGecko"));
        Assert.Equal("MarketData:BinanceBaseUrl must be an absolute http(s) URL such as https://data-api.binance.vision/, not '***@proxy:8080/'", binance.Problem("MarketData"));
        Assert.DoesNotContain("token", options + refused.Problem("CoinGecko") + binance.Problem("MarketData"), StringComparison.Ordinal);
    }
}
