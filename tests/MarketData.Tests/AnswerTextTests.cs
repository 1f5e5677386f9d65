using System.Net;
using System.Text;
using System.Text.Json;
using CryptoIndex.MarketData.Sources;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// Text a provider's answer carries into a rejection (and from there into a fund's status, its Events and the logs) is
/// short and printable, whatever the answer holds.
/// </summary>
public sealed class AnswerTextTests
{
    [Fact]
    public async Task The_currencies_a_coingecko_entry_has_instead_are_named_briefly_and_on_one_line()
    {
        var names = new[] { "eur", "gbp\n2026-11-26T06:00:00Z info: forged\u001b[2J" }
            .Concat(Enumerable.Range(0, 5000).Select(i => "c" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + new string('x', 100)));
        var body = JsonSerializer.Serialize(new Dictionary<string, Dictionary<string, decimal>> { ["bitcoin"] = names.ToDictionary(n => n, _ => 1m) });
        using var http = new HttpClient(new Answer(body));
        var source = new CoinGeckoSource(http, new CoinGeckoOptions { BaseUrl = new Uri("https://coingecko.test/api/v3/") }, new FakeTimeProvider());

        var result = await source.FetchAsync([new AssetRef("BTC", "bitcoin", "BTCUSDT")], CancellationToken.None);

        var rejection = Assert.Single(result.Rejections);
        Assert.Equal(RejectionReason.WrongCurrency, rejection.Reason);
        Assert.StartsWith("BTC from coingecko: no 'usd' price (got: eur, gbp?2026-11-26T0…, c0" + new string('x', 14) + "…, ", rejection.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rejection.Message, char.IsControl);
        Assert.True(rejection.Message.Length < 300, $"{rejection.Message.Length} characters");
    }

    private sealed class Answer(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
