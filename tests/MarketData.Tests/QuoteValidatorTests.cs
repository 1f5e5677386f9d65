namespace CryptoIndex.MarketData.Tests;

public sealed class QuoteValidatorTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly QuoteValidator validator = new(maxJumpFactor: 10m);

    private static PriceQuote Last(decimal price, decimal? cap = 1_000m) => new("BTC", price, cap, At, "coingecko", MarketCapOrigin.Reported);

    [Theory]
    [InlineData("0", "1", RejectionReason.NonPositivePrice)]
    [InlineData("-5", "1", RejectionReason.NonPositivePrice)]
    [InlineData("5", "0", RejectionReason.NonPositiveMarketCap)]
    [InlineData("5", "-1", RejectionReason.NonPositiveMarketCap)]
    public void Non_positive_values_are_rejected(string price, string cap, RejectionReason reason)
    {
        var raw = new RawQuote("BTC", decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(cap, System.Globalization.CultureInfo.InvariantCulture), At);
        var (accepted, rejected) = validator.Validate(raw, "coingecko", null, reportsMarketCaps: true);

        Assert.Null(accepted);
        Assert.Equal(reason, rejected!.Reason);
        Assert.StartsWith("BTC from coingecko: ", rejected.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, 1_001, true)]
    [InlineData(100, 1_000, false)]
    [InlineData(100, 9.99, true)]
    [InlineData(100, 10, false)]
    public void A_jump_beyond_the_bound_from_the_last_accepted_price_is_rejected(double last, double now, bool rejected)
    {
        var (accepted, rejection) = validator.Validate(new RawQuote("BTC", (decimal)now, 1m, At), "coingecko", Last((decimal)last), true);

        Assert.Equal(rejected, accepted is null);
        Assert.Equal(rejected ? RejectionReason.AbsurdJump : null, rejection?.Reason);
    }

    [Fact]
    public void Without_market_caps_the_last_known_one_is_scaled_by_the_price_change_and_marked_estimated()
    {
        var (accepted, _) = validator.Validate(new RawQuote("BTC", 110m, null, At), "binance", Last(100m, cap: 1_000_000m), reportsMarketCaps: false);

        Assert.Equal(1_100_000m, accepted!.MarketCap);
        Assert.Equal(MarketCapOrigin.Estimated, accepted.MarketCapOrigin);
    }

    [Fact]
    public void A_reported_market_cap_is_kept_as_reported()
    {
        var (accepted, _) = validator.Validate(new RawQuote("BTC", 110m, 5m, At), "coingecko", Last(100m), reportsMarketCaps: true);

        Assert.Equal((5m, MarketCapOrigin.Reported), (accepted!.MarketCap!.Value, accepted.MarketCapOrigin));
    }
}
