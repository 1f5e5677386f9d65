using CryptoIndex.Operator.Runtime.Cache;

namespace CryptoIndex.Operator.Runtime.Controllers;

/// <summary>
/// What a worker hands the reconciler: the key, and the object as the cache holds it at the moment the worker took
/// the key (null when it is gone). The object never comes from an event payload.
/// </summary>
public sealed record ReconcileRequest(ObjectKey Key, ObjectCache Cache)
{
    /// <summary>The current cached state (read anew on every access), or null if the object no longer exists.</summary>
    public KubeObject? Current => Cache.Get(Key);
}

/// <summary>
/// controller-runtime's <c>Reconciler</c>: drive the object named by the key towards its desired state. Level-based:
/// it must not care why it was called. Throwing retries with per-key backoff; <see cref="TerminalException"/> does
/// not retry; a <see cref="ReconcileResult.RequeueAfter"/> schedules the next run; success forgets the backoff.
/// </summary>
public interface IReconciler
{
    Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken);
}
