using System.Globalization;
using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Backtesting;

/// <summary>
/// Replays a fund day by day: each day the targets are recomputed from that day's market caps, the holdings valued at
/// that day's prices, the strategy decides, and trades go through the planner at that day's prices with the paper
/// exchange's fee model (<see cref="Ledger.FeeModel"/>, no slippage). The first day funds the fund. Pure and
/// deterministic: the same history gives the same result.
/// </summary>
public static class Backtester
{
    private static readonly decimal DaysPerYearRoot = DecimalMath.Sqrt(365m);

    public static EngineResult<BacktestResult> Run(BacktestSpec spec, IReadOnlyList<MarketDay> days, BacktestStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(days);
        if (days.Count == 0)
        {
            return new EngineError(Rules.NoConstituents, "data", "no days to replay");
        }

        // Constituents and rules are checked once, before any day's market caps: a problem with them is reported on the
        // first day, ahead of any missing market cap. Each day then checks only its market caps.
        var universe = IndexUniverse.Create(spec.Constituents, spec.Weighting);
        if (!universe.IsSuccess)
        {
            return OnDay(days[0], universe.Error);
        }

        var holdings = Holdings.CashOnly(spec.Capital);
        var history = RebalanceHistory.None;
        var symbols = universe.Value.Symbols;
        var marketCaps = new decimal?[symbols.Count];
        var series = new List<NavPoint>(days.Count);
        var log = new List<BacktestRebalance>();
        int rebalances = 0;
        decimal turnover = 0m, fees = 0m;
        foreach (var day in days)
        {
            var prices = day.Closes.ToDictionary(c => c.Key, c => c.Value.Price, StringComparer.Ordinal);
            for (var i = 0; i < marketCaps.Length; i++)
            {
                marketCaps[i] = day.Closes.TryGetValue(symbols[i], out var close) ? close.MarketCap : null;
            }

            var targets = universe.Value.Compute(marketCaps);
            if (!targets.IsSuccess)
            {
                return OnDay(day, targets.Error);
            }

            var weights = targets.Value.BySymbol();
            var valuation = Valuation.Evaluate(holdings, prices, weights, spec.Planning.CashBuffer);
            if (!valuation.IsSuccess)
            {
                return OnDay(day, valuation.Error);
            }

            var now = new DateTimeOffset(day.Date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            IReadOnlyList<string> reasons = strategy switch
            {
                BacktestStrategy.BuyAndHold => holdings.HasNoPositions ? [BuyAndHoldReason] : [],
                BacktestStrategy.Daily => [DailyReason],
                _ => RebalanceDecider.Decide(valuation.Value, spec.Policy, history, now) is { IsSuccess: true, Value.ShouldRebalance: true } decision
                    ? decision.Value.Reasons.Count > 0 ? [.. decision.Value.Reasons.Select(r => r.Message)] : [decision.Value.Summary]
                    : [],
            };
            var trade = reasons.Count > 0;

            var traded = false;
            if (trade)
            {
                var options = strategy == BacktestStrategy.FundRules ? spec.Planning : spec.Planning with { Mode = RebalanceMode.ToTarget };
                var plan = TradePlanner.Plan(new PlanRequest(holdings, prices, weights, new Dictionary<string, SymbolRules>(), options));
                if (!plan.IsSuccess)
                {
                    return OnDay(day, plan.Error);
                }

                if (plan.Value.Orders.Count > 0)
                {
                    holdings = plan.Value.ExpectedHoldings;
                    turnover += plan.Value.Turnover;
                    fees += plan.Value.EstimatedFees;
                    rebalances++;
                    traded = true;
                    log.Add(new BacktestRebalance(day.Date, reasons, plan.Value.Turnover, plan.Value.EstimatedFees));
                }

                history = new RebalanceHistory(now, symbols);
            }

            series.Add(new NavPoint(day.Date, Valuation.Evaluate(holdings, prices, weights, spec.Planning.CashBuffer).Value.Nav, traded));
        }

        var final = series[^1].Nav;
        return new BacktestResult(
            strategy, rebalances, turnover, fees, final, (final / spec.Capital) - 1m, MaxDrawdown(series), Volatility(series), series, log);
    }

    /// <summary>Why the buy-and-hold baseline trades, on its first day only.</summary>
    public const string BuyAndHoldReason = "buy and hold: the first day invests the capital";

    /// <summary>Why the daily baseline trades, every day.</summary>
    public const string DailyReason = "daily: back to target every day";

    private static EngineError OnDay(MarketDay day, EngineError error) =>
        error with { Message = string.Create(CultureInfo.InvariantCulture, $"on {day.Date:yyyy-MM-dd}: {error.Message}") };

    private static decimal MaxDrawdown(List<NavPoint> series)
    {
        decimal peak = 0m, worst = 0m;
        foreach (var point in series)
        {
            peak = Math.Max(peak, point.Nav);
            if (peak > 0m)
            {
                worst = Math.Max(worst, (peak - point.Nav) / peak);
            }
        }

        return worst;
    }

    private static decimal Volatility(List<NavPoint> series)
    {
        if (series.Count < 3)
        {
            return 0m;
        }

        var returns = new List<decimal>(series.Count - 1);
        for (var i = 1; i < series.Count; i++)
        {
            if (series[i - 1].Nav > 0m)
            {
                returns.Add((series[i].Nav / series[i - 1].Nav) - 1m);
            }
        }

        var mean = returns.Average();
        var variance = returns.Sum(r => (r - mean) * (r - mean)) / (returns.Count - 1);
        return DecimalMath.Sqrt(variance) * DaysPerYearRoot;
    }
}
