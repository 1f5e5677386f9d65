using System.Globalization;
using System.Text.Json.Nodes;

namespace CryptoIndex.Operator.Runtime.Status;

/// <summary>
/// Flux-style <c>metav1.Condition</c> handling on a status object (<c>fluxcd/pkg runtime/conditions</c>): every
/// condition carries <c>observedGeneration</c>; <c>lastTransitionTime</c> changes only when status, reason or message
/// change, so re-applying the same outcome leaves the status equal and the status writer sends nothing.
/// </summary>
public static class Conditions
{
    public const string Ready = "Ready";
    public const string Reconciling = "Reconciling";
    public const string Stalled = "Stalled";

    /// <summary>The annotation's value echoed in status when handled (Flux: <c>status.lastHandledReconcileAt</c>).</summary>
    public const string LastHandledReconcileAt = "lastHandledReconcileAt";

    /// <summary>Sets condition <paramref name="type"/>; returns true if status, reason or message changed.</summary>
    public static bool Set(JsonObject status, string type, bool value, string reason, string message, long observedGeneration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        var list = status["conditions"] as JsonArray;
        if (list is null)
        {
            list = [];
            status["conditions"] = list;
        }

        var text = value ? "True" : "False";
        var existing = Find(list, type);
        var transitioned = existing is null ||
                           !string.Equals((string?)existing["status"], text, StringComparison.Ordinal) ||
                           !string.Equals((string?)existing["reason"], reason, StringComparison.Ordinal) ||
                           !string.Equals((string?)existing["message"], message, StringComparison.Ordinal);
        var time = transitioned
            ? now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : (string?)existing!["lastTransitionTime"];
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["observedGeneration"] = observedGeneration,
            ["lastTransitionTime"] = time,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (existing is null)
        {
            list.Add(condition);
        }
        else
        {
            list[list.IndexOf(existing)] = condition;
        }

        Sort(list);
        return transitioned;
    }

    /// <summary>Removes condition <paramref name="type"/> (abnormal-true conditions like Reconciling and Stalled exist only while True).</summary>
    public static void Remove(JsonObject status, string type)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status["conditions"] is JsonArray list && Find(list, type) is { } existing)
        {
            list.Remove(existing);
        }
    }

    /// <summary>The condition of <paramref name="type"/>, or null.</summary>
    public static JsonObject? Get(JsonObject status, string type)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status["conditions"] is JsonArray list ? Find(list, type) : null;
    }

    /// <summary>Echoes the on-demand reconcile annotation into status once it has been handled.</summary>
    public static void EchoReconcileRequest(JsonObject status, KubeObject obj, string annotation = Controllers.Predicates.DefaultRequestedAtAnnotation)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Annotation(annotation) is { } requested)
        {
            status[LastHandledReconcileAt] = requested;
        }
    }

    private static JsonObject? Find(JsonArray list, string type) =>
        list.OfType<JsonObject>().FirstOrDefault(c => string.Equals((string?)c["type"], type, StringComparison.Ordinal));

    // Flux order: Ready first, then by type; stable so equal statuses serialise equally.
    private static void Sort(JsonArray list)
    {
        var sorted = list.OfType<JsonObject>()
            .OrderBy(c => string.Equals((string?)c["type"], Ready, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(c => (string?)c["type"], StringComparer.Ordinal)
            .ToList();
        list.Clear();
        foreach (var c in sorted)
        {
            list.Add(c);
        }
    }
}
