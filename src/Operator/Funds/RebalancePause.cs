using System.Globalization;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Operator.Api;
using ExecutionRecord = CryptoIndex.Exchanges.Execution.RebalanceRecord;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// A rebalance in progress while its fund is suspended or in dry run: no order is sent (a pending leg stays pending), but
/// orders already sent are still looked up, so their fills reach the books. Reported with the same reasons the fund's
/// <c>Ready</c> condition uses without a rebalance (<c>Suspended</c>, <c>DryRun</c>), on <c>Ready</c> and
/// <c>Reconciling</c> alike; clearing the setting resumes the rebalance where it stopped.
/// </summary>
/// <param name="Reason">The conditions' reason: <see cref="FundEvaluator.Suspended"/> or <see cref="DryRunPlan.Phase"/>.</param>
/// <param name="ReadyStatus">Ready's status, as the fund reports the same setting without a rebalance: False suspended, True in dry run.</param>
/// <param name="Setting">The spec field that pauses it (<c>spec.suspend</c>).</param>
/// <param name="Prefix">How Ready's message starts for this setting without a rebalance (<c>suspended: </c>).</param>
public sealed record RebalancePause(string Reason, string ReadyStatus, string Setting, string Prefix)
{
    public static readonly RebalancePause Suspend = new(FundEvaluator.Suspended, "False", "spec.suspend", "suspended: ");

    public static readonly RebalancePause DryRun = new(DryRunPlan.Phase, "True", "spec.dryRun", "dry run: ");

    /// <summary>
    /// The fund is being deleted (metadata.deletionTimestamp) with a rebalance on a real exchange in progress: nothing
    /// more is sent, the orders already sent are looked up until resolved, then the fund lets go (<see cref="RebalanceFinalizer"/>).
    /// </summary>
    public static readonly RebalancePause Deleting = new(DeletingReason, "False", "the fund's deletion", "deleting: ")
    {
        Until = "the fund is deleted once every order sent is resolved (finalizer " + RebalanceFinalizer.Name + "); its final record is told in an Event",
    };

    /// <summary>Reason of Ready=False and Reconciling=True while a deleted fund waits for its orders sent to be resolved.</summary>
    public const string DeletingReason = "Deleting";

    /// <summary>
    /// The spec was made invalid while a rebalance was in progress: nothing more is sent (the spec that decides what to
    /// send is not valid), but the orders already sent are looked up on the account the rebalance recorded, so their
    /// fills reach the books. Ready=False and Stalled=True (a person must fix the spec), Ready's message starting with
    /// <paramref name="errors"/> (every field and the rule it breaks).
    /// </summary>
    public static RebalancePause InvalidSpec(string errors) => new(FundConditions.InvalidSpecReason, "False", "the invalid spec", errors + "; ")
    {
        Until = "correct the spec to continue it where it stopped, with the orders as planned when it started",
        Stalls = true,
    };

    /// <summary>
    /// spec.exchange was edited while a rebalance was in progress: nothing more is sent, on either account (its orders
    /// could not be found on the new one, and a resent one would trade twice), but the orders already sent are looked up
    /// on the account the rebalance recorded (<paramref name="startedOn"/>), so their fills reach the books.
    /// Ready=False and Stalled=True (a person must put the spec back), Ready's message starting with
    /// <paramref name="why"/>. A rebalance with no order left to send finishes by itself once those are resolved.
    /// </summary>
    public static RebalancePause ExchangeChanged(string why, string startedOn) => new(FundReconciler.ExchangeChanged, "False", "the change of spec.exchange", why + "; ")
    {
        Until = $"put spec.exchange back to {startedOn} to continue it where it stopped, with the orders as planned when it started; "
            + "it never moves to another account: once it has finished (by itself when no order is left to send), spec.exchange may name another",
        Stalls = true,
    };

    /// <summary>How the pause ends, when not by setting <see cref="Setting"/> to false.</summary>
    public string? Until { get; init; }

    /// <summary>
    /// Whether only a person can end the pause: reported with Stalled=True beside Ready, and told by the caller in a
    /// Warning Event rather than a Normal one.
    /// </summary>
    public bool Stalls { get; init; }

    /// <summary>The pause the spec asks for (suspend before dry run), or null when the fund may trade.</summary>
    public static RebalancePause? Of(FundDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return definition.Suspend ? Suspend : definition.DryRun ? DryRun : null;
    }

    /// <summary>Whether a condition's reason is one a pause writes.</summary>
    public static bool IsPauseReason(string? reason) =>
        reason == Suspend.Reason || reason == DryRun.Reason || reason == FundConditions.InvalidSpecReason || reason == FundReconciler.ExchangeChanged;

    /// <summary>
    /// "paused by spec.suspend: 1 order not sent (buy ETH); set spec.suspend to false to continue it …", with the orders
    /// sent before the pause that are still being looked up, and why (<paramref name="lookingUp"/>: the exchange's answer).
    /// </summary>
    public string Describe(ExecutionRecord record, string? lookingUp)
    {
        ArgumentNullException.ThrowIfNull(record);
        var notSent = record.Legs.Where(l => l.State == LegState.Pending).OrderBy(l => l.Leg).ToList();
        var sent = record.Legs.Count(l => l.State == LegState.Sent);
        var text = string.Create(CultureInfo.InvariantCulture, $"paused by {Setting}: {Orders(notSent.Count)} not sent")
            + (notSent.Count > 0 ? " (" + string.Join(", ", notSent.Select(l => $"{(l.Side == Engine.Planning.OrderSide.Sell ? "sell" : "buy")} {l.Symbol}")) + ")" : string.Empty);
        if (sent > 0)
        {
            text += $"; {Orders(sent)} sent before the pause {(sent == 1 ? "is" : "are")} looked up until the exchange reports {(sent == 1 ? "its" : "their")} fills"
                + (lookingUp is null ? string.Empty : " (" + lookingUp + ")");
        }

        return text + (Until is { } until
            ? "; " + until
            : $"; set {Setting} to false to continue it where it stopped, with the orders as planned when it started ({StatusText.Time(record.StartedAt)})");
    }

    private static string Orders(int count) => count.ToString(CultureInfo.InvariantCulture) + (count == 1 ? " order" : " orders");
}

/// <summary>
/// Thrown by <see cref="StatusRebalanceJournal.SaveAsync"/> instead of recording an attempt to send an order while the
/// rebalance is paused (<see cref="StatusRebalanceJournal.Pause"/>). The executor records every attempt before sending
/// it, so refusing the record stops the order: nothing was written, nothing sent, the leg stays as it was.
/// </summary>
public sealed class OrdersHeldException : Exception
{
    public OrdersHeldException()
    {
    }

    public OrdersHeldException(string message)
        : base(message)
    {
    }

    public OrdersHeldException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
