using System.Globalization;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// The status conditions of a fund, following KEP-1623 as kstatus, <c>kubectl wait</c> and Argo CD read them:
/// <c>Ready</c> always present; <c>Reconciling</c> and <c>Stalled</c> present only while true; every condition
/// carries the generation it was computed for; a condition keeps its <c>lastTransitionTime</c> while its status does not
/// change.
/// </summary>
public static class FundConditions
{
    public const string Ready = "Ready";
    public const string Reconciling = "Reconciling";
    public const string Stalled = "Stalled";
    public const string InvalidSpecReason = "InvalidSpec";

    /// <summary>Longest condition message; a long list of errors is cut with a count of what was left out.</summary>
    public const int MaxMessageLength = 1024;

    /// <summary>
    /// An invalid spec needs a human: Ready=False and Stalled=True, reason InvalidSpec, the message naming every field
    /// (each as <c>spec.field: problem</c>); Reconciling is dropped, since nothing will happen until the spec changes.
    /// </summary>
    public static List<FundCondition> InvalidSpec(IReadOnlyList<FieldError> errors, long generation, DateTimeOffset now, IReadOnlyList<FundCondition>? previous)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var message = Message(errors);
        return
        [
            Set(previous, Ready, "False", InvalidSpecReason, message, generation, now),
            Set(previous, Stalled, "True", InvalidSpecReason, message, generation, now),
        ];
    }

    /// <summary>One condition, keeping the previous transition time when its status is unchanged.</summary>
    public static FundCondition Set(
        IReadOnlyList<FundCondition>? previous, string type, string status, string reason, string message, long generation, DateTimeOffset now)
    {
        var before = previous?.FirstOrDefault(c => c.Type == type);
        return new FundCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            ObservedGeneration = generation,
            LastTransitionTime = before is not null && before.Status == status && before.LastTransitionTime is not null
                ? before.LastTransitionTime
                : now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
    }

    private static string Message(IReadOnlyList<FieldError> errors)
    {
        var message = string.Empty;
        for (var i = 0; i < errors.Count; i++)
        {
            var next = (i == 0 ? string.Empty : message + "; ") + errors[i];
            if (next.Length > MaxMessageLength - 40)
            {
                return $"{message}; and {errors.Count - i} more";
            }

            message = next;
        }

        return message;
    }
}
