using CryptoIndex.Engine;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>
/// What the reconciler decided: rebalance fund <paramref name="FundUid"/> (its Kubernetes uid) for the
/// <paramref name="Sequence"/>-th time, from <paramref name="Holdings"/> (its ledger) to <paramref name="Targets"/>
/// at <paramref name="Prices"/>, with the fund's plan options. <paramref name="Untradable"/>: assets it holds but must not
/// trade now, with the reason (an asset outside the index valued at a last-known price): their orders are dropped.
/// </summary>
public sealed record RebalanceStart(
    string FundUid,
    long Sequence,
    Holdings Holdings,
    IReadOnlyDictionary<string, decimal> Targets,
    IReadOnlyDictionary<string, decimal> Prices,
    PlanOptions Options,
    IReadOnlyDictionary<string, string>? Untradable = null)
{
    /// <summary>
    /// The account the fund's books are on (its last rebalance's), when the spec still names the same credentials: the
    /// rebalance is not started on another (keys of another account put into the Secret would sell from books that are
    /// not that account's). Null after a deliberate move to other credentials, or before any rebalance.
    /// </summary>
    public string? BooksAccount { get; init; }

    /// <summary>
    /// The caller's name for where the fund trades (the operator: the exchange, testnet and Secret its spec names),
    /// kept in the record as <see cref="RebalanceRecord.Venue"/>; the executor only stores it.
    /// </summary>
    public string? Venue { get; init; }
}

/// <summary>How far a call to the executor got.</summary>
public enum ExecutionStatus
{
    /// <summary>The rebalance is done: every leg completed, failed or was skipped.</summary>
    Done,

    /// <summary>The rebalance is in progress and needs another call at <see cref="ExecutionResult.RetryAt"/>.</summary>
    Waiting,

    /// <summary>
    /// No rebalance was started: the plan was refused (<see cref="ExecutionResult.PlanError"/>), the exchange's rules
    /// could not be read (try again at <see cref="ExecutionResult.RetryAt"/>), or there is none to resume.
    /// </summary>
    NotStarted,

    /// <summary>
    /// No rebalance was started because the plan has no order: every one is below the exchange's or the fund's
    /// minimums (<see cref="ExecutionResult.Reason"/> lists them). Nothing was recorded or sent.
    /// </summary>
    NothingToTrade,
}

/// <summary>
/// The outcome of one call: the record as saved, and when to call again if the rebalance is not done; while waiting,
/// <see cref="Error"/> says what kind of exchange failure holds it up, if one does.
/// </summary>
public sealed record ExecutionResult(
    ExecutionStatus Status,
    RebalanceRecord? Record,
    DateTimeOffset? RetryAt = null,
    string? Reason = null,
    EngineError? PlanError = null,
    ExchangeErrorKind? Error = null);

/// <summary>
/// Executor settings: the wait after an exchange-wide refusal without Retry-After; the poll interval for an order
/// still open; how many rounds of sells run before the buys (a second round sells what a partial fill left); and the
/// buy headroom: buys are sized so that they still fit the cash if they fill up to this fraction above the reference
/// price (a market buy fills at the ask, and prices move between the snapshot and the order).
/// </summary>
public sealed record ExecutorOptions(TimeSpan? RetryDelay = null, TimeSpan? PollInterval = null, int MaxSellRounds = 2, decimal BuyHeadroom = 0.01m)
{
    public TimeSpan Retry => RetryDelay ?? TimeSpan.FromSeconds(5);

    public TimeSpan Poll => PollInterval ?? TimeSpan.FromSeconds(1);

    /// <summary>
    /// The wait before asking again when the exchange has no open market for an index asset (delisted, or in BREAK or
    /// HALT): a market reopens in minutes or never, and asking every few seconds only costs request weight.
    /// </summary>
    public TimeSpan MarketClosedRetry { get; init; } = TimeSpan.FromMinutes(5);
}
