namespace CryptoIndex.Operator.Runtime.Cache;

public enum CacheEventType
{
    Added,
    Updated,
    Deleted,

    /// <summary>Periodic resync: the object did not change, but handlers get a chance to re-enqueue it.</summary>
    Resync,
}

/// <summary>A change the cache applied. <see cref="Old"/> is null for adds; for deletes <see cref="New"/> is the last known state.</summary>
public sealed record CacheEvent(CacheEventType Type, KubeObject? Old, KubeObject New)
{
    /// <summary>True for deletes the cache inferred (the real DELETED event was missed): the object is absent from a
    /// relist, or another object (another UID) now has its name.</summary>
    public bool Synthetic { get; init; }
}
