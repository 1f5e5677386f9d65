using CryptoIndex.Operator.Runtime.Cache;

namespace CryptoIndex.Operator.Runtime.Controllers;

/// <summary>Event filters deciding which cache events enqueue a key.</summary>
public static class Predicates
{
    /// <summary>The on-demand reconcile annotation (Flux's <c>reconcile.fluxcd.io/requestedAt</c> convention).</summary>
    public const string DefaultRequestedAtAnnotation = "reconcile.cryptoindex.io/requestedAt";

    /// <summary>
    /// controller-runtime's <c>GenerationChangedPredicate</c> plus what it should never drop: adds, deletes, resyncs,
    /// deletion and finalizer transitions. Status-only and metadata-only updates are filtered out.
    /// </summary>
    public static bool GenerationChanged(CacheEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Type != CacheEventType.Updated || e.Old is null)
        {
            return true;
        }

        return e.Old.Generation != e.New.Generation ||
               e.Old.IsDeleting != e.New.IsDeleting ||
               !e.Old.Finalizers.SequenceEqual(e.New.Finalizers, StringComparer.Ordinal);
    }

    /// <summary>True when the annotation requesting a reconcile changed value (e.g. <c>kubectl annotate --overwrite</c>).</summary>
    public static Func<CacheEvent, bool> AnnotationChanged(string annotation = DefaultRequestedAtAnnotation) =>
        e => e.Type == CacheEventType.Updated && e.Old is not null &&
             !string.Equals(e.Old.Annotation(annotation), e.New.Annotation(annotation), StringComparison.Ordinal);

    /// <summary>The default: generation changed, or a reconcile was requested through the annotation.</summary>
    public static Func<CacheEvent, bool> Default(string annotation = DefaultRequestedAtAnnotation)
    {
        var requested = AnnotationChanged(annotation);
        return e => GenerationChanged(e) || requested(e);
    }
}
