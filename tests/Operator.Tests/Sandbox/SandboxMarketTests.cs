using CryptoIndex.MarketData;
using CryptoIndex.Operator.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Sandbox;

public sealed class SandboxMarketTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A fund's default maxAge is 10 minutes and it refreshes every minute: a simulated quote at most 5 simulated
    /// minutes old leaves room for both at any speed (an hour-long step at high speeds made the sandbox's funds flicker
    /// PricesStale). On a fake real clock, so the bound is exact and no stall of the machine counts.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(60)]
    [InlineData(600)]
    [InlineData(SandboxOptions.DefaultSpeed)]
    [InlineData(86400)]
    public async Task A_simulated_quote_is_never_older_than_five_simulated_minutes_whatever_the_speed(double speed)
    {
        var real = new FakeTimeProvider(Start);
        var (market, error) = SandboxMarket.Create(new SandboxOptions { Speed = speed }, real);
        Assert.Null(error);
        var source = market!.Settings.Substitute!;
        for (var i = 0; i < 200; i++)
        {
            real.Advance(TimeSpan.FromMilliseconds(97)); // no multiple of a step: every phase of one is sampled
            var now = market.Clock.GetUtcNow();
            var quote = Assert.Single((await source.FetchAsync([new AssetRef("BTC", "bitcoin")], CancellationToken.None)).Quotes);
            Assert.InRange(now - quote.ObservedAt, TimeSpan.Zero, TimeSpan.FromMinutes(5));
        }
    }
}
