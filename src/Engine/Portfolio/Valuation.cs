namespace CryptoIndex.Engine.Portfolio;

/// <summary>Values holdings at prices and measures their drift from the targets.</summary>
public static class Valuation
{
    /// <param name="holdings">What the fund owns.</param>
    /// <param name="prices">Price per symbol in the quote currency; needed for every target and every held asset.</param>
    /// <param name="targets">Index weight per constituent; they must sum to exactly 1.</param>
    /// <param name="cashBuffer">Share of NAV to keep in cash, in [0, 1).</param>
    public static EngineResult<PortfolioValuation> Evaluate(
        Holdings holdings,
        IReadOnlyDictionary<string, decimal> prices,
        IReadOnlyDictionary<string, decimal> targets,
        decimal cashBuffer = 0m)
    {
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(prices);
        ArgumentNullException.ThrowIfNull(targets);

        var error = InputChecks.Holdings(holdings) ?? InputChecks.Targets(targets) ?? InputChecks.CashBuffer(cashBuffer);
        if (error is not null)
        {
            return error;
        }

        var symbols = targets.Keys.Concat(holdings.Quantities.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        foreach (var symbol in symbols)
        {
            var priceError = InputChecks.Price(prices, symbol);
            if (priceError is not null)
            {
                return priceError;
            }
        }

        var nav = holdings.Cash;
        foreach (var (symbol, quantity) in holdings.Quantities)
        {
            if (InputChecks.PositionValue(symbol, quantity, prices[symbol]) is { } tooLarge)
            {
                return tooLarge;
            }

            nav += quantity * prices[symbol];
        }

        if (nav > Limits.MaxValue)
        {
            return new EngineError(Rules.ValueOutOfRange, "holdings", $"NAV {Format.Number(nav, 2)} is above the limit of {Format.Number(Limits.MaxValue)}");
        }

        var invested = 1m - cashBuffer;
        var positions = new List<AssetPosition>(symbols.Count);
        var absoluteDriftSum = 0m;
        var maxDrift = 0m;
        foreach (var symbol in symbols)
        {
            var quantity = holdings.QuantityOf(symbol);
            var price = prices[symbol];
            var value = quantity * price;
            var isConstituent = targets.TryGetValue(symbol, out var indexWeight);
            var target = indexWeight * invested;
            var current = nav > 0m ? value / nav : 0m;
            var drift = current - target;
            positions.Add(new AssetPosition(
                symbol, quantity, price, value, indexWeight, target, current, drift, target > 0m ? drift / target : null, isConstituent));
            absoluteDriftSum += Math.Abs(drift);
            maxDrift = Math.Max(maxDrift, Math.Abs(drift));
        }

        var cashWeight = nav > 0m ? holdings.Cash / nav : 0m;
        absoluteDriftSum += Math.Abs(cashWeight - cashBuffer);
        return new PortfolioValuation(nav, holdings.Cash, cashWeight, cashBuffer, positions, absoluteDriftSum / 2m, maxDrift);
    }
}
