using CryptoIndex.Engine.Planning;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>The executor's log lines. They name funds, legs and client order ids; never credentials.</summary>
internal static partial class ExecutorLog
{
    [LoggerMessage(1, LogLevel.Information, "Fund {FundUid} rebalance {Sequence}: recorded {Legs} legs ({Dropped} orders dropped by the planner)")]
    public static partial void Planned(ILogger logger, string fundUid, long sequence, int legs, int dropped);

    [LoggerMessage(2, LogLevel.Information, "Sending {Side} {Quantity} {Symbol} as {ClientOrderId} (attempt {Attempt})")]
    public static partial void Sending(ILogger logger, OrderSide side, decimal quantity, string symbol, string clientOrderId, int attempt);

    [LoggerMessage(3, LogLevel.Information, "{ClientOrderId} {State}: executed {Executed} {Symbol} in {Fills} fills")]
    public static partial void Recorded(ILogger logger, string clientOrderId, LegState state, decimal executed, string symbol, int fills);

    [LoggerMessage(4, LogLevel.Warning, "{ClientOrderId}: outcome unknown ({Reason}); looking it up before anything is resent")]
    public static partial void OutcomeUnknown(ILogger logger, string clientOrderId, string reason);

    [LoggerMessage(5, LogLevel.Warning, "{ClientOrderId} failed: {Reason}")]
    public static partial void LegFailed(ILogger logger, string clientOrderId, string reason);

    [LoggerMessage(6, LogLevel.Information, "{ClientOrderId}: waiting until {RetryAt:O}: {Reason}")]
    public static partial void Waiting(ILogger logger, string clientOrderId, DateTimeOffset retryAt, string reason);

    [LoggerMessage(7, LogLevel.Information, "Fund {FundUid} rebalance {Sequence}: {Phase}")]
    public static partial void Phase(ILogger logger, string fundUid, long sequence, RebalancePhase phase);

    [LoggerMessage(8, LogLevel.Information, "{ClientOrderId}: not found on the exchange after its acceptance window; sending it again with the same id")]
    public static partial void Resending(ILogger logger, string clientOrderId);

    [LoggerMessage(9, LogLevel.Information, "{ClientOrderId}: found on the exchange; adopting it")]
    public static partial void Adopted(ILogger logger, string clientOrderId);

    [LoggerMessage(10, LogLevel.Warning, "Fund {FundUid}: plan refused: {Reason}")]
    public static partial void PlanRefused(ILogger logger, string fundUid, string reason);

    [LoggerMessage(11, LogLevel.Warning, "Fund {FundUid}: {Asset} is held outside the index and has no open market, so it is not sold: {Reason}")]
    public static partial void MarketClosed(ILogger logger, string fundUid, string asset, string reason);

    [LoggerMessage(12, LogLevel.Information, "{ClientOrderId}: selling {Quantity} {Symbol} instead of the {Planned} planned: the fund holds less now (earlier legs paid commissions in it)")]
    public static partial void SellCut(ILogger logger, string clientOrderId, decimal planned, decimal quantity, string symbol);

    [LoggerMessage(14, LogLevel.Error, "Fund {FundUid} rebalance {Sequence}: the recorded fills do not fit the fund's holdings ({Error}); no buy is sent and the rebalance ends for a person to reconcile the books with the account")]
    public static partial void LedgerMismatch(ILogger logger, string fundUid, long sequence, string error);

    [LoggerMessage(13, LogLevel.Warning, "Fund {FundUid} rebalance {Sequence}: the credentials reach account {Now}, not {StartedOn} where the fund trades; nothing is sent")]
    public static partial void AccountChanged(ILogger logger, string fundUid, long sequence, string startedOn, string now);
}
