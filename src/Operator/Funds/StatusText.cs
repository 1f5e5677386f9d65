using System.Globalization;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// How numbers are written into a fund's status: exact decimal strings, culture-invariant, never in exponent form.
/// Money to 8 decimal places, prices to 8 places or, below 0.1, to 8 significant digits, weights as percentages and
/// drifts in percentage points to 4 places, all rounded half away from zero: enough for any quote currency and for a
/// weight to 0.0001 %; cash and quantities exactly as held (status is the paper ledger).
/// </summary>
public static class StatusText
{
    public static string Money(decimal value) => Engine.Format.Number(value, 8);

    /// <summary>
    /// A price: 8 decimal places keep only 3 significant digits of a coin at 0.000002 (SHIB, PEPE), so its value would not
    /// be its quantity times the price shown, and a last known price read back from status would revalue it.
    /// </summary>
    public static string Price(decimal value) =>
        Engine.Format.Number(value, value == 0m ? 8 : Math.Min(28, Math.Max(8, 7 - Engine.DecimalMath.Exponent(Math.Abs(value)))));

    public static string Quantity(decimal value) => Engine.DecimalMath.Normalize(value).ToString(CultureInfo.InvariantCulture);

    public static string Weight(decimal fraction) => Engine.Format.Percent(fraction, 4);

    /// <summary>
    /// A weight difference in percentage points ("+15pp", "-0.25pp"), as Events and <c>plan</c> write it: a "%" would
    /// read as relative to the target. <paramref name="withSign"/>: a "+" on positive values.
    /// </summary>
    public static string Drift(decimal fraction, bool withSign = true) =>
        withSign ? Engine.Format.PercentagePoints(fraction, 4) : Engine.Format.PercentagePoints(fraction, 4).TrimStart('+');

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The orders a plan did not send (or sent only in part), each group named by its reason, for a rebalance's message:
    /// "; below the minimums, not sent: buy SOL", "; no cash available, not sent: buy ETH", "; above the exchange's
    /// maximum per order, the rest left for the next rebalance: sell BTC" and, with why, "; not sent: Sell DOGE: the
    /// exchange has no open market for it" (a sell left after the last sell round, too); empty when every order went out.
    /// </summary>
    public static string NotSent(IReadOnlyCollection<Engine.Planning.DroppedOrder> dropped)
    {
        ArgumentNullException.ThrowIfNull(dropped);
        static string Orders(IEnumerable<Engine.Planning.DroppedOrder> orders) =>
            string.Join(", ", orders.Select(d => $"{(d.Side == Engine.Planning.OrderSide.Sell ? "sell" : "buy")} {d.Symbol}"));
        string Group(string label, Func<Engine.Planning.DropReason, bool> reason) =>
            dropped.Where(d => reason(d.Reason)).ToList() is { Count: > 0 } orders ? "; " + label + ": " + Orders(orders) : string.Empty;
        return Group("below the minimums, not sent", r => r is Engine.Planning.DropReason.ZeroAfterLotRounding or Engine.Planning.DropReason.BelowMinQuantity
                   or Engine.Planning.DropReason.BelowMinNotional or Engine.Planning.DropReason.BelowMinTradeValue)
            + Group("no cash available, not sent", r => r == Engine.Planning.DropReason.NoCashAvailable)
            + Group("above the exchange's maximum per order, the rest left for the next rebalance", r => r == Engine.Planning.DropReason.AboveMaxQuantity)
            + string.Concat(dropped.Where(d => d.Reason is Engine.Planning.DropReason.MarketClosed or Engine.Planning.DropReason.SellsOver).Select(d => "; not sent: " + d.Message));
    }

    /// <summary>Reads back a number this class wrote (status is also where the paper ledger lives).</summary>
    public static bool TryRead(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
