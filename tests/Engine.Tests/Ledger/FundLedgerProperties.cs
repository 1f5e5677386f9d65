using CsCheck;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine.Tests.Ledger;

/// <summary>Properties of the ledger over random holdings and fills with every kind of commission.</summary>
public sealed class FundLedgerProperties
{
    private static readonly Gen<(Holdings Before, Fill Fill)> Cases =
        from cash in Gen.Decimal[0m, 1_000_000m].Select(c => decimal.Round(c, 2))
        from held in Gen.Decimal[0m, 1_000m].Select(q => decimal.Round(q, 8))
        from other in Gen.Decimal[0m, 1_000m].Select(q => decimal.Round(q, 8))
        from bnb in Gen.OneOf(Gen.Const(0m), Gen.Decimal[0m, 0.001m].Select(q => decimal.Round(q, 8)), Gen.Decimal[0m, 50m].Select(q => decimal.Round(q, 8)))
        from side in Gen.OneOf(OrderSide.Buy, OrderSide.Sell)
        from quantity in Gen.Decimal[0.00000001m, 1_000m].Select(q => decimal.Round(q, 8)).Where(q => q > 0m)
        from price in Gen.Decimal[0.0001m, 100_000m].Select(p => decimal.Round(p, 4)).Where(p => p > 0m)
        from feeRate in Gen.Int[0, 50].Select(bp => bp / 10_000m)
        from currency in Gen.OneOf(FeeCurrency.Base, FeeCurrency.Quote, FeeCurrency.External)
        from inAssetSold in Gen.Bool // an External commission in ETH itself, on a sell (Binance's BNB discount on a BNB sell)
        select (
            Holdings.Of(cash, ("ETH", held), ("BTC", other), ("BNB", bnb)),
            currency switch
            {
                FeeCurrency.Base => new Fill("ETH", side, quantity, price, decimal.Round(quantity * feeRate, 8), currency),
                FeeCurrency.Quote => new Fill("ETH", side, quantity, price, decimal.Round(quantity * price * feeRate, 8), currency),
                _ when inAssetSold && side == OrderSide.Sell => new Fill("ETH", side, quantity, price, decimal.Round(quantity * feeRate * 0.75m, 8), currency, "ETH"),
                // A BNB commission: its amount is in BNB, unrelated to the fund's prices.
                _ => new Fill("ETH", side, quantity, price, decimal.Round(quantity * price * feeRate * 0.75m / 600m, 8), currency, "BNB"),
            });

    [Fact]
    public void Value_is_conserved_value_before_equals_value_after_plus_what_the_fund_paid_in_commissions()
    {
        var external = 0;
        Cases.Sample(c =>
        {
            var applied = FundLedger.Apply(c.Before, c.Fill);
            if (!applied.IsSuccess)
            {
                // Refused only for what it would overdraw, never for its (valid) commission.
                Assert.Contains(applied.Error.Rule, new[] { Rules.InsufficientCash, Rules.InsufficientQuantity });
                return;
            }

            var after = applied.Value;
            const decimal BnbPrice = 600m;
            decimal Value(Holdings h) => h.Cash + (h.QuantityOf("ETH") * c.Fill.Price) + h.QuantityOf("BTC") + (h.QuantityOf("BNB") * BnbPrice);
            var inEth = c.Fill.FeeAsset == "ETH";
            var feeAssetLeft = inEth ? c.Before.QuantityOf("ETH") - c.Fill.Quantity : c.Before.QuantityOf("BNB");
            var fromFund = c.Fill.FeeCurrency == FeeCurrency.External && c.Fill.Fee > 0m && feeAssetLeft >= c.Fill.Fee;
            var paidFromFund = fromFund ? c.Fill.Fee * (inEth ? c.Fill.Price : BnbPrice) : 0m;
            Assert.Equal(Value(c.Before), Value(after) + c.Fill.FeeValue + paidFromFund);
            Assert.Equal(c.Before.QuantityOf("BTC"), after.QuantityOf("BTC"));
            if (c.Fill.FeeCurrency == FeeCurrency.External)
            {
                // The fund's asset and cash move by exactly the quantity and the notional, as the account's do; the
                // commission comes out of the fund's BNB if it holds any, else from outside the fund.
                Interlocked.Increment(ref external); // CsCheck samples on parallel threads
                var sign = c.Fill.Side == OrderSide.Buy ? 1m : -1m;
                Assert.Equal(0m, c.Fill.FeeValue);
                var paidInEth = fromFund && inEth ? c.Fill.Fee : 0m;
                Assert.Equal(c.Before.QuantityOf("ETH") + (sign * c.Fill.Quantity) - paidInEth, after.QuantityOf("ETH"));
                Assert.Equal(c.Before.Cash - (sign * c.Fill.Notional), after.Cash);
                Assert.Equal(fromFund && !inEth ? c.Before.QuantityOf("BNB") - c.Fill.Fee : c.Before.QuantityOf("BNB"), after.QuantityOf("BNB"));
                Assert.True(after.QuantityOf("ETH") >= 0m && after.QuantityOf("BNB") >= 0m);
            }
            else
            {
                Assert.Equal(c.Before.QuantityOf("BNB"), after.QuantityOf("BNB"));
            }
        }, iter: 3000);

        Assert.True(external > 100, $"only {external} external fills applied");
    }

    [Fact]
    public void An_order_filled_in_parts_at_several_prices_conserves_value_at_each_fill_or_changes_nothing()
    {
        var orders =
            from cash in Gen.Decimal[0m, 1_000_000m].Select(c => decimal.Round(c, 2))
            from held in Gen.Decimal[0m, 1_000m].Select(q => decimal.Round(q, 8))
            from side in Gen.OneOf(OrderSide.Buy, OrderSide.Sell)
            from parts in Gen.Select(
                Gen.Decimal[0.00000001m, 300m].Select(q => decimal.Round(q, 8)).Where(q => q > 0m),
                Gen.Decimal[0.0001m, 100_000m].Select(p => decimal.Round(p, 4)).Where(p => p > 0m)).Array[1, 5]
            from feeRate in Gen.Int[0, 100].Select(bp => bp / 10_000m)
            from currency in Gen.OneOf(FeeCurrency.Base, FeeCurrency.Quote)
            select (Holdings.Of(cash, ("ETH", held)), parts.Select(p => new Fill(
                "ETH", side, p.Item1, p.Item2, currency == FeeCurrency.Base ? p.Item1 * feeRate : p.Item1 * p.Item2 * feeRate, currency)).ToArray());

        orders.Sample(order =>
        {
            var (before, fills) = order;
            var current = before;
            var refused = false;
            foreach (var fill in fills)
            {
                var step = FundLedger.Apply(current, fill);
                if (!step.IsSuccess)
                {
                    refused = true;
                    break;
                }

                decimal Value(Holdings h) => h.Cash + (h.QuantityOf("ETH") * fill.Price);
                Assert.Equal(Value(current), Value(step.Value) + fill.FeeValue);
                Assert.True(step.Value.Cash >= 0m && step.Value.QuantityOf("ETH") >= 0m);
                current = step.Value;
            }

            // The whole order applies as its fills one by one, or is refused and leaves nothing applied.
            var whole = FundLedger.ApplyOrder(before, fills);
            Assert.Equal(!refused, whole.IsSuccess);
            if (whole.IsSuccess)
            {
                Assert.Equal((current.Cash, current.QuantityOf("ETH")), (whole.Value.Cash, whole.Value.QuantityOf("ETH")));
            }
        }, iter: 3000);
    }
}
