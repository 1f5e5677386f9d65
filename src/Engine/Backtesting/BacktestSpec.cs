using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Backtesting;

/// <summary>How a simulated fund decides to trade.</summary>
public enum BacktestStrategy
{
    /// <summary>The fund's own rules: thresholds, intervals, mode.</summary>
    FundRules,

    /// <summary>Invest on the first day, never trade again.</summary>
    BuyAndHold,

    /// <summary>Trade back to target every day.</summary>
    Daily,
}

/// <summary>
/// A fund as the backtest replays it: its constituents (market caps come from each day), weighting, rebalance policy,
/// planning options (fees, mode, minimum trade value, cash buffer) and starting capital.
/// </summary>
public sealed record BacktestSpec(
    IReadOnlyList<Constituent> Constituents,
    WeightingRules Weighting,
    RebalancePolicy Policy,
    PlanOptions Planning,
    decimal Capital);

/// <summary>End-of-day NAV, and whether the fund traded that day.</summary>
public readonly record struct NavPoint(DateOnly Date, decimal Nav, bool Rebalanced);

/// <summary>
/// One day the strategy traded: why (for the fund's rules, the reasons <see cref="RebalanceDecider"/> gave; for a
/// baseline, its own rule), and the notional traded and the fees paid that day.
/// </summary>
public sealed record BacktestRebalance(DateOnly Date, IReadOnlyList<string> Reasons, decimal Turnover, decimal Fees);

/// <summary>
/// What a strategy did: rebalances (days with at least one order), turnover (traded notional), fees, final value,
/// return, maximum drawdown (largest fall from a previous peak, as a fraction of it), annualised volatility of daily
/// returns (sample standard deviation × √365, crypto trades every day), the NAV series, and each rebalance with its
/// reasons, turnover and fees (in date order; one per day counted in <see cref="Rebalances"/>).
/// </summary>
public sealed record BacktestResult(
    BacktestStrategy Strategy,
    int Rebalances,
    decimal Turnover,
    decimal Fees,
    decimal FinalValue,
    decimal Return,
    decimal MaxDrawdown,
    decimal Volatility,
    IReadOnlyList<NavPoint> Series,
    IReadOnlyList<BacktestRebalance> RebalanceLog);
