using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Tests.Ledger;

public sealed class FundLedgerTests
{
    [Fact]
    public void A_buy_with_the_fee_in_the_asset_spends_cash_and_adds_the_net_quantity()
    {
        var after = FundLedger.Apply(Holdings.CashOnly(10_000m), new Fill("BTC", OrderSide.Buy, 0.1m, 50_000m, 0.0001m, FeeCurrency.Base)).Value;

        Assert.Equal(5_000m, after.Cash);
        Assert.Equal(0.0999m, after.QuantityOf("BTC"));
    }

    [Fact]
    public void A_sell_with_the_fee_in_quote_removes_the_quantity_and_adds_net_proceeds()
    {
        // Binance's documented example fill: 5 at 3,999 with 0.1 % commission → 19.995.
        var after = FundLedger.Apply(Holdings.Of(0m, ("BNB", 5m)), new Fill("BNB", OrderSide.Sell, 5m, 3_999m, 19.995m, FeeCurrency.Quote)).Value;

        Assert.Equal(19_975.005m, after.Cash);
        Assert.Equal(0m, after.QuantityOf("BNB"));
        Assert.False(after.Quantities.ContainsKey("BNB"));
    }

    [Fact]
    public void Value_is_conserved_up_to_the_fee()
    {
        var before = Holdings.Of(1_000m, ("ETH", 2m));
        var fill = new Fill("ETH", OrderSide.Buy, 0.3m, 2_500m, 0.0003m, FeeCurrency.Base);
        var after = FundLedger.Apply(before, fill).Value;

        Assert.Equal(before.Cash + (before.QuantityOf("ETH") * fill.Price), after.Cash + (after.QuantityOf("ETH") * fill.Price) + fill.FeeValue);
    }

    [Fact]
    public void A_buy_with_an_external_fee_adds_the_full_quantity_and_spends_the_full_notional()
    {
        // BNB fee discount: the account pays 0.0000625 BNB from its own BNB; the fund gets every BTC it bought.
        var fill = new Fill("BTC", OrderSide.Buy, 0.1m, 50_000m, 0.0000625m, FeeCurrency.External, "BNB");
        var after = FundLedger.Apply(Holdings.CashOnly(10_000m), fill).Value;

        Assert.Equal(5_000m, after.Cash);
        Assert.Equal(0.1m, after.QuantityOf("BTC"));
        Assert.Equal(["BTC"], after.Quantities.Keys);
        Assert.Equal(0m, fill.FeeValue);
    }

    [Fact]
    public void A_sell_with_an_external_fee_adds_the_full_notional()
    {
        var after = FundLedger.Apply(Holdings.Of(0m, ("ETH", 2m)), new Fill("ETH", OrderSide.Sell, 2m, 2_500m, 0.00625m, FeeCurrency.External, "BNB")).Value;

        Assert.Equal(5_000m, after.Cash);
        Assert.Equal(0m, after.QuantityOf("ETH"));
    }

    [Fact]
    public void An_external_fee_can_take_the_whole_holding_without_going_negative()
    {
        // The same sell with a Base fee is refused (A_sell_whose_base_fee_exceeds…): here the fee is not the fund's.
        var after = FundLedger.Apply(Holdings.Of(0m, ("ETH", 2m)), new Fill("ETH", OrderSide.Sell, 2m, 10m, 0.002m, FeeCurrency.External, "BNB"));

        Assert.True(after.IsSuccess, after.Error?.ToString());
        Assert.Equal(20m, after.Value.Cash);
    }

    [Theory]
    [InlineData(FeeCurrency.External, null, "fill.feeAsset")]
    [InlineData(FeeCurrency.External, "", "fill.feeAsset")]
    [InlineData(FeeCurrency.External, " ", "fill.feeAsset")]
    [InlineData(FeeCurrency.External, "ETH", "fill.feeAsset")] // the traded asset itself: that is a Base fee
    [InlineData(FeeCurrency.Base, "BNB", "fill.feeAsset")]
    [InlineData(FeeCurrency.Quote, "USDT", "fill.feeAsset")]
    [InlineData((FeeCurrency)7, "BNB", "fill.feeCurrency")]
    public void A_fee_asset_is_required_for_an_external_fee_and_refused_for_the_others(FeeCurrency currency, string? feeAsset, string field)
    {
        var before = Holdings.Of(1_000m, ("ETH", 2m));
        var result = FundLedger.Apply(before, new Fill("ETH", OrderSide.Sell, 1m, 2_500m, 0.001m, currency, feeAsset));

        Assert.Equal((Rules.InvalidFill, field), (result.Error?.Rule, result.Error?.Field));
    }

    [Theory]
    [InlineData(OrderSide.Buy, 1, 1_000, Rules.InsufficientCash, "holdings.cash")]
    [InlineData(OrderSide.Sell, 3, 1, Rules.InsufficientQuantity, "holdings[ETH]")]
    public void A_fill_that_would_go_negative_is_refused(OrderSide side, decimal quantity, decimal price, string rule, string field)
    {
        var before = Holdings.Of(500m, ("ETH", 2m));
        var result = FundLedger.Apply(before, new Fill("ETH", side, quantity, price, 0m, FeeCurrency.Quote));

        Assert.Equal(rule, result.Error?.Rule);
        Assert.Equal(field, result.Error?.Field);
    }

    [Fact]
    public void A_sell_whose_base_fee_exceeds_the_rest_of_the_holding_is_refused()
    {
        var result = FundLedger.Apply(Holdings.Of(0m, ("ETH", 2m)), new Fill("ETH", OrderSide.Sell, 2m, 10m, 0.002m, FeeCurrency.Base));

        Assert.Equal(Rules.InsufficientQuantity, result.Error?.Rule);
    }

    [Theory]
    [InlineData("", 1, 1, 0)]
    [InlineData("ETH", 0, 1, 0)]
    [InlineData("ETH", 1, 0, 0)]
    [InlineData("ETH", 1, 1, -1)]
    public void A_malformed_fill_is_refused(string symbol, decimal quantity, decimal price, decimal fee)
    {
        var result = FundLedger.Apply(Holdings.CashOnly(100m), new Fill(symbol, OrderSide.Buy, quantity, price, fee, FeeCurrency.Quote));

        Assert.Equal(Rules.InvalidFill, result.Error?.Rule);
    }

    [Fact]
    public void Applying_several_fills_stops_at_the_first_refused_one_and_returns_nothing_partial()
    {
        var fills = new[]
        {
            new Fill("BTC", OrderSide.Buy, 0.01m, 50_000m, 0m, FeeCurrency.Quote),
            new Fill("ETH", OrderSide.Buy, 10m, 2_500m, 0m, FeeCurrency.Quote),
        };

        var result = FundLedger.ApplyAll(Holdings.CashOnly(1_000m), fills);

        Assert.False(result.IsSuccess);
        Assert.Equal(Rules.InsufficientCash, result.Error.Rule);
    }
}
