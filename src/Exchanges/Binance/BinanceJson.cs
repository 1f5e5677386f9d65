using System.Collections.Immutable;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;

namespace CryptoIndex.Exchanges.Binance;

/// <summary>Reads Binance's JSON. Every number arrives as a string and is parsed to decimal, invariantly.</summary>
internal static class BinanceJson
{
    public static decimal Decimal(JsonElement element, string property) =>
        decimal.Parse(
            element.GetProperty(property).GetString() ?? throw new FormatException(property + " is null"),
            NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign,
            CultureInfo.InvariantCulture);

    public static string Text(decimal value)
    {
        // No exponent, no trailing zeros: what Binance's parameter parser expects.
        var text = value.ToString("0.############################", CultureInfo.InvariantCulture);
        return text;
    }

    public static OrderStatus Status(string? status) => status switch
    {
        "FILLED" => OrderStatus.Filled,
        "NEW" or "PENDING_NEW" or "PARTIALLY_FILLED" or "PENDING_CANCEL" => OrderStatus.Open,
        "CANCELED" or "EXPIRED" or "EXPIRED_IN_MATCH" => OrderStatus.Expired,
        "REJECTED" => OrderStatus.Rejected,
        _ => throw new FormatException("unknown order status " + status),
    };

    public static OrderSide Side(string? side) => side switch
    {
        "BUY" => OrderSide.Buy,
        "SELL" => OrderSide.Sell,
        _ => throw new FormatException("unknown side " + side),
    };

    /// <summary>
    /// A fill from a FULL order response's <c>fills</c> or from <c>myTrades</c>. A buy's commission in the asset is a
    /// base fee (taken from what was bought), one in the quote currency a quote fee; one in a third asset (BNB fee
    /// discount) is an <see cref="FeeCurrency.External"/> fee with that asset: the account paid it from its own BNB, so
    /// the fund's asset and cash move by the full quantity and notional, exactly as the account's do. So is a sell's
    /// commission in the asset sold (the discount on a BNB sell): the account paid it from its free BNB, not from the
    /// quantity sold, and the ledger takes it from what the order leaves the fund, or from outside the fund.
    /// </summary>
    public static Fill Fill(JsonElement fill, string asset, string quoteAsset, OrderSide side)
    {
        var commissionAsset = fill.GetProperty("commissionAsset").GetString();
        if (string.IsNullOrEmpty(commissionAsset))
        {
            throw new FormatException("commissionAsset is empty");
        }

        var commission = Decimal(fill, "commission");
        var quantity = Decimal(fill, "qty");
        var price = Decimal(fill, "price");
        return string.Equals(commissionAsset, asset, StringComparison.Ordinal)
                ? side == OrderSide.Buy ? new Fill(asset, side, quantity, price, commission, FeeCurrency.Base) : new Fill(asset, side, quantity, price, commission, FeeCurrency.External, asset)
            : string.Equals(commissionAsset, quoteAsset, StringComparison.Ordinal) ? new Fill(asset, side, quantity, price, commission, FeeCurrency.Quote)
            : new Fill(asset, side, quantity, price, commission, FeeCurrency.External, commissionAsset);
    }

    /// <summary>An order from <c>POST /api/v3/order</c> (FULL) or <c>GET /api/v3/order</c>, with the fills given.</summary>
    public static OrderReport Order(JsonElement order, string asset, ImmutableList<Fill> fills) =>
        new(
            order.GetProperty("clientOrderId").GetString() ?? string.Empty,
            asset,
            Side(order.GetProperty("side").GetString()),
            Status(order.GetProperty("status").GetString()),
            Decimal(order, "executedQty"),
            fills,
            order.GetProperty("orderId").GetInt64().ToString(CultureInfo.InvariantCulture),
            order.TryGetProperty("origQty", out _) ? Decimal(order, "origQty") : null);

    /// <summary>
    /// Symbol rules for market orders from an exchangeInfo symbol's filters: the stricter of LOT_SIZE and
    /// MARKET_LOT_SIZE (a quantity on both steps: their least common multiple), and the minimum notional of MIN_NOTIONAL or NOTIONAL. The minimum notional is applied even
    /// when Binance does not apply it to market orders: an order that small is not worth its fee, and it keeps the
    /// planner's view simple. NOTIONAL's maximum is applied only when Binance applies it to market orders
    /// (<c>applyMaxToMarket</c>): otherwise a larger market order is accepted. The step is a plain multiple
    /// (<c>quantity % stepSize == 0</c>), not counted from minQty: Binance changed the rule to this on 2023-03-13.
    /// </summary>
    public static SymbolRules Rules(JsonElement symbol)
    {
        decimal step = 0m, minQuantity = 0m, minNotional = 0m;
        decimal? maxQuantity = null, maxNotional = null;
        foreach (var filter in symbol.GetProperty("filters").EnumerateArray())
        {
            switch (filter.GetProperty("filterType").GetString())
            {
                case "LOT_SIZE":
                case "MARKET_LOT_SIZE":
                    step = CommonStep(step, Decimal(filter, "stepSize"));
                    minQuantity = Math.Max(minQuantity, Decimal(filter, "minQty"));
                    var max = Decimal(filter, "maxQty");
                    if (max > 0m)
                    {
                        maxQuantity = maxQuantity is { } current ? Math.Min(current, max) : max;
                    }

                    break;
                case "MIN_NOTIONAL":
                    minNotional = Math.Max(minNotional, Decimal(filter, "minNotional"));
                    break;
                case "NOTIONAL":
                    minNotional = Math.Max(minNotional, Decimal(filter, "minNotional"));
                    if (filter.TryGetProperty("applyMaxToMarket", out var applyMax) && applyMax.ValueKind == JsonValueKind.True
                        && Decimal(filter, "maxNotional") is > 0m and var most)
                    {
                        maxNotional = maxNotional is { } lower ? Math.Min(lower, most) : most;
                    }

                    break;
                default:
                    break;
            }
        }

        return new SymbolRules(step, minQuantity, minNotional, maxQuantity, MaxNotional: maxNotional);
    }
    /// <summary>
    /// The smallest step a quantity on both <paramref name="a"/> and <paramref name="b"/> steps is a multiple of (their
    /// least common multiple; 0 means no step). The larger of the two is that only when it is a multiple of the other,
    /// as Binance's powers of ten are; 0.002 and 0.003 need 0.006. Beyond decimal's 96 bits (no real filter), the larger.
    /// </summary>
    internal static decimal CommonStep(decimal a, decimal b)
    {
        if (a <= 0m || b <= 0m)
        {
            return Math.Max(a, b);
        }

        var scale = Math.Max(a.Scale, b.Scale);
        var x = Units(a, scale);
        var y = Units(b, scale);
        var lcm = x / BigInteger.GreatestCommonDivisor(x, y) * y;
        if (lcm >= BigInteger.One << 96)
        {
            return Math.Max(a, b);
        }

        var low = (uint)(lcm & uint.MaxValue);
        var mid = (uint)((lcm >> 32) & uint.MaxValue);
        var high = (uint)(lcm >> 64);
        return new decimal((int)low, (int)mid, (int)high, isNegative: false, (byte)scale);
    }

    /// <summary>A positive decimal as an integer count of 10^-<paramref name="scale"/> (at least its own scale).</summary>
    private static BigInteger Units(decimal value, int scale)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var mantissa = new BigInteger((uint)bits[0]) | (new BigInteger((uint)bits[1]) << 32) | (new BigInteger((uint)bits[2]) << 64);
        return mantissa * BigInteger.Pow(10, scale - value.Scale);
    }
}
