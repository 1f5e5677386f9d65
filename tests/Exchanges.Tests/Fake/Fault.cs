namespace CryptoIndex.Exchanges.Tests.Fake;

/// <summary>What the fake Binance does wrong to one request.</summary>
public enum FaultKind
{
    /// <summary>Nothing wrong: a placeholder that lets a fault hit the n-th request.</summary>
    None,

    /// <summary>Answers 302 to another path (a proxy or an attacker sending the client, and its API key header, elsewhere).</summary>
    Redirect,

    /// <summary>Answers 200 with a body of <see cref="Fault.Bytes"/> bytes of JSON whitespace (a broken or hostile answer).</summary>
    Huge,

    /// <summary>Answers 5xx without doing anything.</summary>
    ServerErrorBefore,

    /// <summary>Executes the order, then answers 5xx (Binance: "execution status unknown").</summary>
    ServerErrorAfter,

    /// <summary>Executes the order, then lets the clock run past the client's timeout before answering.</summary>
    TimeoutAfter,

    /// <summary>Executes the order, then drops the connection without an answer.</summary>
    DropAfter,

    /// <summary>Answers 429 (or 418 when <see cref="Fault.Status"/> says so) with Retry-After, doing nothing.</summary>
    RateLimit,

    /// <summary>Refuses with <see cref="Fault.Status"/>, <see cref="Fault.Code"/> and <see cref="Fault.Message"/>.</summary>
    Reject,

    /// <summary>Executes only <see cref="Fault.Fraction"/> of the quantity; the order expires.</summary>
    PartialFill,

    /// <summary>The request takes <see cref="Fault.Latency"/> of clock time to arrive (it may miss its recvWindow).</summary>
    Latency,

    /// <summary>The request is held in the network until the test releases it (<see cref="Fault.Release"/>).</summary>
    Hold,

    /// <summary>myTrades answers with only the first trade of the order, as a lagging replica could.</summary>
    TradesLag,

    /// <summary>Executes the order, then refuses with <see cref="Fault.Status"/>, <see cref="Fault.Code"/> and <see cref="Fault.Message"/> (Binance -1006).</summary>
    ErrorAfter,

    /// <summary>Executes only <see cref="Fault.Fraction"/> of the quantity and leaves the order open (PARTIALLY_FILLED, or NEW when nothing executed); it expires by the first look-up.</summary>
    OpenPartial,

    /// <summary>
    /// A look-up answered late: the answer is computed now, then the request in <see cref="Fault.ThenRelease"/> (held in
    /// the network) reaches the fake and is processed, then the answer takes <see cref="Fault.Latency"/> of clock time
    /// to reach the client.
    /// </summary>
    LateAnswer,

    /// <summary>Answers 200 with JSON that is not what the endpoint returns, doing nothing.</summary>
    Unreadable,
}

/// <summary>One injected failure, used once by the first matching request.</summary>
public sealed record Fault(
    FaultKind Kind,
    int Status = 0,
    int Code = 0,
    string Message = "",
    TimeSpan? RetryAfter = null,
    decimal Fraction = 0.5m,
    TimeSpan? Latency = null)
{
    public static Fault None() => new(FaultKind.None);

    public static Fault ServerErrorBefore() => new(FaultKind.ServerErrorBefore, 503);

    public static Fault ServerErrorAfter() => new(FaultKind.ServerErrorAfter, 502);

    public static Fault TimeoutAfter() => new(FaultKind.TimeoutAfter);

    public static Fault DropAfter() => new(FaultKind.DropAfter);

    public static Fault TooManyRequests(int status = 429, int seconds = 7) => new(FaultKind.RateLimit, status, RetryAfter: TimeSpan.FromSeconds(seconds));

    public static Fault Reject(int code, string message, int status = 400) => new(FaultKind.Reject, status, code, message);

    public static Fault Partial(decimal fraction) => new(FaultKind.PartialFill, Fraction: fraction);

    public static Fault Slow(TimeSpan latency) => new(FaultKind.Latency, Latency: latency);

    public static Fault Hold() => new(FaultKind.Hold);

    public static Fault TradesLag() => new(FaultKind.TradesLag);

    public static Fault ErrorAfter(int code, string message, int status = 400) => new(FaultKind.ErrorAfter, status, code, message);

    public static Fault Unreadable() => new(FaultKind.Unreadable, 200);

    public static Fault OpenPartial(decimal fraction) => new(FaultKind.OpenPartial, Fraction: fraction);

    public static Fault LateAnswer(TimeSpan latency, Fault? thenRelease = null) => new(FaultKind.LateAnswer, Latency: latency) { ThenRelease = thenRelease };

    /// <summary>Binance's web application firewall: HTTP 403 with an HTML page, nothing done.</summary>
    public static Fault RedirectElsewhere() => new(FaultKind.Redirect, 302);

    public static Fault HugeAnswer(long bytes) => new(FaultKind.Huge, 200) { Bytes = bytes };

    public static Fault Waf() => new(FaultKind.ServerErrorBefore, 403);

    /// <summary>For <see cref="FaultKind.LateAnswer"/>: a held request let through after the answer was computed.</summary>
    public Fault? ThenRelease { get; init; }

    /// <summary>The body size of a <see cref="FaultKind.Huge"/> answer.</summary>
    public long Bytes { get; init; }

    /// <summary>For <see cref="FaultKind.Hold"/>: set when the request reached the fake.</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>For <see cref="FaultKind.Hold"/>: the test sets it to let the request through.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>For <see cref="FaultKind.Hold"/>: set once the released request was processed.</summary>
    public TaskCompletionSource Processed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override string ToString() => $"{Kind}{(Status != 0 ? " " + Status : string.Empty)}{(Code != 0 ? " " + Code : string.Empty)}";
}
