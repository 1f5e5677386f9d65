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
    [InlineData(FeeCurrency.External, "ETH", "fill.feeAsset", OrderSide.Buy)] // a buy's fee in the asset bought: that is a Base fee
    [InlineData(FeeCurrency.Base, "BNB", "fill.feeAsset")]
    [InlineData(FeeCurrency.Quote, "USDT", "fill.feeAsset")]
    [InlineData((FeeCurrency)7, "BNB", "fill.feeCurrency")]
    public void A_fee_asset_is_required_for_an_external_fee_and_refused_for_the_others(FeeCurrency currency, string? feeAsset, string field, OrderSide side = OrderSide.Sell)
    {
        var before = Holdings.Of(1_000m, ("ETH", 2m));
        var result = FundLedger.Apply(before, new Fill("ETH", side, 1m, 2_500m, 0.001m, currency, feeAsset));

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

    /// <summary>
    /// Binance's BNB discount on a BNB sell: the commission is in BNB, taken from the account's free BNB, not from the
    /// BNB the order sells. The books take it from what the whole order leaves the fund when that covers it.
    /// </summary>
    [Fact]
    public void A_sells_commission_in_the_asset_sold_is_paid_from_what_the_whole_order_leaves()
    {
        Fill Half(decimal fee) => new("BNB", OrderSide.Sell, 1m, 600m, fee, FeeCurrency.External, "BNB");
        var before = Holdings.Of(0m, ("BNB", 3m));

        var after = FundLedger.ApplyOrder(before, [Half(0.00075m), Half(0.00075m)]);

        Assert.True(after.IsSuccess, after.Error?.ToString());
        Assert.Equal((1_200m, 0.9985m), (after.Value.Cash, after.Value.QuantityOf("BNB")));
        Assert.Equal(0m, Half(0.00075m).FeeValue); // a BNB commission is not in the fund's reported fees
    }

    /// <summary>
    /// The review's exit: the fund's books hold 2.0004 BNB (the account 0.5 more), the order sells 2 in two fills and the
    /// commission, 0.0015 BNB, is more than the 0.0004 left: the BNB outside the fund paid it, the books keep 0.0004 and
    /// never go below zero. Fill by fill, the first commission would have come out of BNB the second fill sells.
    /// </summary>
    [Fact]
    public void A_sells_commission_in_the_asset_sold_that_the_rest_does_not_cover_was_paid_outside_the_fund()
    {
        Fill Half(decimal price, decimal fee) => new("BNB", OrderSide.Sell, 1m, price, fee, FeeCurrency.External, "BNB");
        var before = Holdings.Of(0m, ("BNB", 2.0004m));

        var after = FundLedger.ApplyOrder(before, [Half(600m, 0.00075m), Half(599.7m, 0.00074962m)]);

        Assert.True(after.IsSuccess, after.Error?.ToString());
        Assert.Equal((1_199.7m, 0.0004m), (after.Value.Cash, after.Value.QuantityOf("BNB")));
        // Value before = value after + what the fund paid (nothing): 2.0004 × 600 = 1,199.7 + 0.3 + 0.0004 × 600 − 0.3.
        Assert.Equal(before.QuantityOf("BNB") * 600m, after.Value.Cash + 0.3m + (after.Value.QuantityOf("BNB") * 600m));

        // The same commission booked as a Base fee (as it was) needs 2.0015 of the 2.0004.
        var asBase = FundLedger.ApplyOrder(before, [.. new[] { Half(600m, 0.00075m), Half(599.7m, 0.00074962m) }.Select(f => f with { FeeCurrency = FeeCurrency.Base, FeeAsset = null })]);
        Assert.Equal(Rules.InsufficientQuantity, asBase.Error?.Rule);
    }

    [Fact]
    public void An_order_whose_sale_exceeds_the_holding_is_refused_whatever_its_commission()
    {
        var result = FundLedger.ApplyOrder(Holdings.Of(0m, ("BNB", 1m)), [new Fill("BNB", OrderSide.Sell, 1.5m, 600m, 0m, FeeCurrency.External, "BNB")]);

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
