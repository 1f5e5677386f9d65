using System.Globalization;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Engine;

/// <summary>Checks of inputs shared by valuation, planning and the ledger, each naming the field it rejects.</summary>
internal static class InputChecks
{
    public static EngineError? Holdings(Holdings holdings)
    {
        if (holdings.Cash < 0m)
        {
            return new EngineError(Rules.NegativeCash, "holdings.cash", $"cash is {Text(holdings.Cash)}; it cannot be negative");
        }

        if (holdings.Cash > Limits.MaxValue)
        {
            return new EngineError(Rules.ValueOutOfRange, "holdings.cash", $"cash {Text(holdings.Cash)} is above the limit of {Text(Limits.MaxValue)}");
        }

        foreach (var (symbol, quantity) in holdings.Quantities)
        {
            if (quantity < 0m)
            {
                return new EngineError(
                    Rules.NegativeQuantity, $"holdings[{symbol}]", $"quantity of {symbol} is {Text(quantity)}; it cannot be negative");
            }
        }

        return null;
    }

    public static EngineError? Targets(IReadOnlyDictionary<string, decimal> targets)
    {
        var sum = 0m;
        foreach (var (symbol, weight) in targets.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (weight is < 0m or > 1m)
            {
                return new EngineError(
                    Rules.TargetOutOfRange, $"targets[{symbol}]", $"target weight of {symbol} is {Format.Percent(weight, 8)}; it must be within 0%..100%");
            }

            sum += weight;
        }

        return sum == 1m
            ? null
            : new EngineError(Rules.TargetsSum, "targets", $"target weights sum to {Format.Percent(sum, 10)}; they must sum to exactly 100%");
    }

    public static EngineError? CashBuffer(decimal cashBuffer) =>
        cashBuffer is >= 0m and < 1m
            ? null
            : new EngineError(
                Rules.CashBufferOutOfRange, "rebalance.cashBuffer", $"cash buffer is {Format.Percent(cashBuffer, 8)}; it must be at least 0% and below 100%");

    public static EngineError? Price(IReadOnlyDictionary<string, decimal> prices, string symbol)
    {
        if (!prices.TryGetValue(symbol, out var price))
        {
            return new EngineError(Rules.MissingPrice, $"prices[{symbol}]", $"no price for {symbol}");
        }

        if (price <= 0m)
        {
            return new EngineError(Rules.NonPositivePrice, $"prices[{symbol}]", $"price of {symbol} is {Text(price)}; it must be greater than 0");
        }

        return price is >= Limits.MinPrice and <= Limits.MaxPrice
            ? null
            : new EngineError(
                Rules.ValueOutOfRange, $"prices[{symbol}]", $"price of {symbol} is {Text(price)}; prices must be within {Text(Limits.MinPrice)}..{Text(Limits.MaxPrice)}");
    }

    /// <summary>A position must be worth at most <see cref="Limits.MaxValue"/> (checked without multiplying, which could overflow).</summary>
    public static EngineError? PositionValue(string symbol, decimal quantity, decimal price) =>
        quantity <= Limits.MaxValue / price
            ? null
            : new EngineError(Rules.ValueOutOfRange, $"holdings[{symbol}]", $"{Text(quantity)} {symbol} at {Text(price)} is worth more than {Text(Limits.MaxValue)}");

    public static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
