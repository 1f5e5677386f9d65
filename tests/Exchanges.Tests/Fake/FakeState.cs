using CryptoIndex.Engine;

namespace CryptoIndex.Exchanges.Tests.Fake;

/// <summary>
/// A market's filters on the fake: LOT_SIZE (step, min, max); MARKET_LOT_SIZE (<paramref name="MarketStepSize"/>,
/// <paramref name="MarketMinQuantity"/>, <paramref name="MarketMaxQuantity"/>, by default 10 × the LOT_SIZE maximum;
/// 0 disables a part, as on Binance, where most markets send step and minimum 0); NOTIONAL (min, applied to market
/// orders; <paramref name="MaxNotional"/>, applied to them only with <paramref name="ApplyMaxToMarket"/>).
/// </summary>
public sealed record FakeSymbol(
    decimal StepSize,
    decimal MinQuantity,
    decimal MaxQuantity,
    decimal MinNotional,
    string Status = "TRADING",
    decimal MarketStepSize = 0m,
    decimal MarketMinQuantity = 0m,
    decimal? MarketMaxQuantity = null,
    decimal MaxNotional = 9_000_000m,
    bool ApplyMaxToMarket = false)
{
    /// <summary>MARKET_LOT_SIZE's maxQty as exchangeInfo sends it.</summary>
    public decimal MarketMax => MarketMaxQuantity ?? MaxQuantity * 10m;
}

public sealed record FakeFill(decimal Price, decimal Quantity, decimal Commission, string CommissionAsset, long TradeId);

/// <summary>An order the fake accepted (and executed, fully or partly).</summary>
public sealed record FakeOrder(
    long OrderId, string Symbol, string Asset, string Side, string ClientOrderId, decimal OrigQuantity, decimal ExecutedQuantity,
    decimal QuoteQuantity, string Status, IReadOnlyList<FakeFill> Fills, long TransactTime);

/// <summary>
/// The fake's account, which outlives every operator instance: balances, prices, markets and the orders executed.
/// </summary>
public sealed class FakeState
{
    public object Gate { get; } = new();

    public Dictionary<string, decimal> Balances { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, decimal> Prices { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, FakeSymbol> Symbols { get; } = new(StringComparer.Ordinal);

    public List<FakeOrder> Orders { get; } = [];

    /// <summary>Every order request that passed authentication, with what the fake answered ("FILLED", "-1013", …).</summary>
    public List<(string ClientOrderId, string Symbol, string Side, decimal Quantity, string Outcome)> OrderRequests { get; } = [];

    public decimal FeeRate { get; set; } = 0.001m;

    public string QuoteAsset { get; set; } = "USDT";

    /// <summary>
    /// How many trades an order fills in (lot steps permitting), shared by its price levels; by default one per level.
    /// A large order in a thin book can fill in thousands, more than one page of myTrades.
    /// </summary>
    public int? TradesPerOrder { get; set; }

    /// <summary>The account the API key reaches (<c>uid</c> in <c>GET /api/v3/account</c>).</summary>
    public long AccountUid { get; set; } = 354937868;

    /// <summary>When set (e.g. "BNB"), every commission is paid in this asset, as with Binance's BNB fee discount.</summary>
    public string? CommissionAsset { get; set; }

    public decimal Balance(string asset)
    {
        lock (Gate)
        {
            return Balances.TryGetValue(asset, out var value) ? value : 0m;
        }
    }

    /// <summary>How many accepted orders carry each client order id: a value above 1 is a double execution.</summary>
    public Dictionary<string, int> ExecutionsPerClientOrderId()
    {
        lock (Gate)
        {
            return Orders.Where(o => o.ExecutedQuantity > 0m).GroupBy(o => o.ClientOrderId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        }
    }

    internal static decimal FloorToStep(decimal value, decimal step) => step > 0m ? DecimalMath.FloorToStep(value, step) : value;
}
