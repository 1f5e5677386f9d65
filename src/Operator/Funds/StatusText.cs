using System.Globalization;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// How numbers are written into a fund's status: exact decimal strings, culture-invariant, never in exponent form.
/// Money to 8 decimal places, weights as percentages and drifts in percentage points to 4 places, both rounded half away from zero: enough for any
/// quote currency and for a weight to 0.0001 %; cash and quantities exactly as held (status is the paper ledger).
/// </summary>
public static class StatusText
{
    public static string Money(decimal value) => Engine.Format.Number(value, 8);

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
    /// The orders a plan did not send, for a rebalance's message: "; below the minimums, not sent: buy SOL" and, with
    /// why, "; not sent: Sell DOGE: the exchange has no open market for it"; empty when every order went out.
    /// </summary>
    public static string NotSent(IReadOnlyCollection<Engine.Planning.DroppedOrder> dropped)
    {
        ArgumentNullException.ThrowIfNull(dropped);
        static string Orders(IEnumerable<Engine.Planning.DroppedOrder> orders) =>
            string.Join(", ", orders.Select(d => $"{(d.Side == Engine.Planning.OrderSide.Sell ? "sell" : "buy")} {d.Symbol}"));
        var closed = dropped.Where(d => d.Reason == Engine.Planning.DropReason.MarketClosed).ToList();
        var small = dropped.Where(d => d.Reason != Engine.Planning.DropReason.MarketClosed).ToList();
        return (small.Count > 0 ? "; below the minimums, not sent: " + Orders(small) : string.Empty)
            + string.Concat(closed.Select(d => "; not sent: " + d.Message));
    }

    /// <summary>Reads back a number this class wrote (status is also where the paper ledger lives).</summary>
    public static bool TryRead(string? text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
