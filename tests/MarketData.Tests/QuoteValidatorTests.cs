namespace CryptoIndex.MarketData.Tests;

public sealed class QuoteValidatorTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AssetRef Btc = new("BTC", "bitcoin");
    private readonly QuoteValidator validator = new(maxJumpFactor: 10m);

    private static PriceQuote Last(decimal price, decimal? cap = 1_000m) => new("BTC", price, cap, At, "coingecko", MarketCapOrigin.Reported);

    [Theory]
    [InlineData("0", "1", RejectionReason.NonPositivePrice)]
    [InlineData("-5", "1", RejectionReason.NonPositivePrice)]
    [InlineData("5", "0", RejectionReason.NonPositiveMarketCap)]
    [InlineData("5", "-1", RejectionReason.NonPositiveMarketCap)]
    public void Non_positive_values_are_rejected(string price, string cap, RejectionReason reason)
    {
        var raw = new RawQuote(Btc, decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(cap, System.Globalization.CultureInfo.InvariantCulture), At);
        var (accepted, rejected) = validator.Validate(raw, "coingecko", null, reportsMarketCaps: true, At);

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
        var (accepted, rejection) = validator.Validate(new RawQuote(Btc, (decimal)now, 1m, At), "coingecko", Last((decimal)last), true, At);

        Assert.Equal(rejected, accepted is null);
        Assert.Equal(rejected ? RejectionReason.AbsurdJump : null, rejection?.Reason);
    }

    [Fact]
    public void Without_market_caps_the_last_known_one_is_scaled_by_the_price_change_and_marked_estimated()
    {
        var (accepted, _) = validator.Validate(new RawQuote(Btc, 110m, null, At), "binance", Last(100m, cap: 1_000_000m), reportsMarketCaps: false, At);

        Assert.Equal(1_100_000m, accepted!.MarketCap);
        Assert.Equal(MarketCapOrigin.Estimated, accepted.MarketCapOrigin);
    }

    [Fact]
    public void A_reported_market_cap_is_kept_as_reported()
    {
        var (accepted, _) = validator.Validate(new RawQuote(Btc, 110m, 5m, At), "coingecko", Last(100m), reportsMarketCaps: true, At);

        Assert.Equal((5m, MarketCapOrigin.Reported), (accepted!.MarketCap!.Value, accepted.MarketCapOrigin));
    }

    [Theory]
    [InlineData("0.000000001", "1", RejectionReason.OutOfRange)]
    [InlineData("10000000000000", "1", RejectionReason.OutOfRange)]
    [InlineData("5", "5000000000000000000000", RejectionReason.OutOfRange)]
    public void Values_beyond_the_engine_limits_are_rejected_before_they_can_overflow(string price, string cap, RejectionReason reason)
    {
        decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var (accepted, rejected) = validator.Validate(new RawQuote(Btc, D(price), D(cap), At), "coingecko", Last(1m), true, At);

        Assert.Null(accepted);
        Assert.Equal(reason, rejected!.Reason);
    }

    [Fact]
    public void Extreme_jumps_are_compared_without_overflow()
    {
        var (_, rejected) = validator.Validate(new RawQuote(Btc, 1_000_000_000_000m, 1m, At), "coingecko", Last(0.00000001m), true, At);

        Assert.Equal(RejectionReason.AbsurdJump, rejected!.Reason);
    }

    [Fact]
    public void A_timestamp_in_the_future_or_before_the_accepted_one_is_rejected()
    {
        var future = validator.Validate(new RawQuote(Btc, 100m, 1m, At.AddMinutes(5)), "coingecko", null, true, At);
        var older = validator.Validate(new RawQuote(Btc, 100m, 1m, At.AddMinutes(-5)), "coingecko", Last(100m), true, At);
        var slightlyAhead = validator.Validate(new RawQuote(Btc, 100m, 1m, At.AddSeconds(30)), "coingecko", null, true, At);

        Assert.Equal(RejectionReason.BadTimestamp, future.Rejected!.Reason);
        Assert.Equal(RejectionReason.BadTimestamp, older.Rejected!.Reason);
        Assert.NotNull(slightlyAhead.Accepted);
    }

    [Theory]
    [InlineData("0.5")]
    [InlineData("-1")]
    public void A_jump_bound_between_0_and_1_is_a_configuration_error(string bound) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new QuoteValidator(decimal.Parse(bound, System.Globalization.CultureInfo.InvariantCulture)));
}
