namespace CryptoIndex.Exchanges;

/// <summary>Why an exchange call failed. The executor acts on the kind, people read the message.</summary>
public enum ExchangeErrorKind
{
    /// <summary>
    /// No definite answer to an order (timeout, 5xx, connection lost, Binance -1006/-1007, any code not known to be a
    /// refusal): the order may or may not have executed.
    /// </summary>
    OutcomeUnknown,

    /// <summary>The request's timestamp was outside the receive window (Binance -1021); nothing executed.</summary>
    InvalidTimestamp,

    /// <summary>The account cannot pay for the order (Binance -2010); nothing executed.</summary>
    InsufficientBalance,

    /// <summary>The order broke a symbol filter such as LOT_SIZE or NOTIONAL (Binance -1013); nothing executed.</summary>
    FilterFailure,

    /// <summary>An open order already has this client order id (Binance -2010 "Duplicate order sent.").</summary>
    DuplicateOrder,

    /// <summary>Too many requests (HTTP 429, or 403 from Binance's WAF); nothing executed; wait for <see cref="ExchangeException.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The IP is banned for ignoring 429s (HTTP 418); nothing executed; wait for the Retry-After.</summary>
    IpBanned,

    /// <summary>The API key, its permissions or the signature were refused (HTTP 401, Binance -1022, -2014, -2015).</summary>
    Unauthorized,

    /// <summary>A refusal the exchange's code marks as definite (order parameters, market closed, …); nothing executed.</summary>
    Rejected,

    /// <summary>A read failed transiently (timeout, 5xx, connection lost) after its retries.</summary>
    Unavailable,

    /// <summary>
    /// The credentials now belong to another account than the one the rebalance trades on; nothing was sent, and
    /// nothing will be until they are restored.
    /// </summary>
    AccountChanged,

    /// <summary>
    /// The exchange answered something this client cannot read or record (e.g. a commission paid in BNB, which the
    /// fund's ledger cannot hold).
    /// </summary>
    InvalidResponse,
}

/// <summary>
/// A failed exchange call. Messages are written by this library from the operation, the mapped reason and the
/// exchange's error code and text; they never contain credentials, signatures or query strings.
/// </summary>
public sealed class ExchangeException : Exception
{
    public ExchangeException()
        : this(ExchangeErrorKind.Rejected, "exchange call failed")
    {
    }

    public ExchangeException(string message)
        : this(ExchangeErrorKind.Rejected, message)
    {
    }

    public ExchangeException(string message, Exception innerException)
        : this(ExchangeErrorKind.Rejected, message, innerException: innerException)
    {
    }

    public ExchangeException(
        ExchangeErrorKind kind, string message, int? code = null, int? httpStatus = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Code = code;
        HttpStatus = httpStatus;
        RetryAfter = retryAfter;
    }

    public ExchangeErrorKind Kind { get; }

    /// <summary>The exchange's own error code (Binance's negative codes), when it sent one.</summary>
    public int? Code { get; }

    public int? HttpStatus { get; }

    /// <summary>How long the exchange asked us to wait (Retry-After), when it did.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when an order sent with this error might have executed: look it up before sending it again.</summary>
    public bool MayHaveExecuted => Kind is ExchangeErrorKind.OutcomeUnknown or ExchangeErrorKind.DuplicateOrder or ExchangeErrorKind.InvalidResponse;

    /// <summary>True when the order itself is unacceptable: sending it again would fail the same way.</summary>
    public bool IsOrderRejection => Kind is ExchangeErrorKind.InsufficientBalance or ExchangeErrorKind.FilterFailure or ExchangeErrorKind.Rejected;

    /// <summary>A short stable reason for status conditions and metrics.</summary>
    public string Reason => Kind.ToString();
}
