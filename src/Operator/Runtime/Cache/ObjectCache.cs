namespace CryptoIndex.Operator.Runtime.Cache;

/// <summary>
/// The informer store: the latest state of every watched object, keyed by namespace/name. Only the reflector
/// writes; readers (reconcilers) always read from here, never from event payloads.
/// </summary>
public sealed class ObjectCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, KubeObject> _items = [];
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True once the first list has been applied and dispatched.</summary>
    public bool HasSynced => _synced.Task.IsCompleted;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public KubeObject? Get(ObjectKey key)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public IReadOnlyList<KubeObject> List()
    {
        lock (_gate)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>Completes when the first list has been applied.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken = default) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Applies a watch ADDED/MODIFIED; returns the events (none if the cache already had this version).</summary>
    internal IReadOnlyList<CacheEvent> Upsert(KubeObject obj)
    {
        var events = new List<CacheEvent>(2);
        lock (_gate)
        {
            Store(obj, events);
        }

        return events;
    }

    /// <summary>Applies a watch DELETED.</summary>
    internal CacheEvent Delete(KubeObject obj)
    {
        lock (_gate)
        {
            _items.Remove(obj.Key, out var old);
            return new CacheEvent(CacheEventType.Deleted, old, obj);
        }
    }

    /// <summary>
    /// Replaces the content with a fresh list and returns the difference as events: adds, updates for changed
    /// resourceVersions and synthetic deletes for objects that vanished while the watch was down (or were replaced
    /// by a new object of the same name).
    /// </summary>
    internal IReadOnlyList<CacheEvent> Replace(IReadOnlyList<KubeObject> objects)
    {
        var events = new List<CacheEvent>();
        lock (_gate)
        {
            var seen = new HashSet<ObjectKey>();
            foreach (var obj in objects)
            {
                seen.Add(obj.Key);
                Store(obj, events);
            }

            foreach (var key in _items.Keys.Where(k => !seen.Contains(k)).ToList())
            {
                _items.Remove(key, out var gone);
                events.Add(new CacheEvent(CacheEventType.Deleted, gone, gone!) { Synthetic = true });
            }
        }

        return events;
    }

    /// <summary>
    /// Stores <paramref name="obj"/> and appends what changed. A different UID under the same name is another object:
    /// the old one was deleted (a synthetic delete, since that event was missed) and the new one added. As one update
    /// both would be generation 1 and the generation predicate would drop it, so the new object is never reconciled.
    /// </summary>
    private void Store(KubeObject obj, List<CacheEvent> events)
    {
        _items.TryGetValue(obj.Key, out var old);
        _items[obj.Key] = obj;
        if (old is not null && !string.Equals(old.Uid, obj.Uid, StringComparison.Ordinal))
        {
            events.Add(new CacheEvent(CacheEventType.Deleted, old, old) { Synthetic = true });
            old = null;
        }

        if (old is null)
        {
            events.Add(new CacheEvent(CacheEventType.Added, null, obj));
        }
        else if (!string.Equals(old.ResourceVersion, obj.ResourceVersion, StringComparison.Ordinal))
        {
            events.Add(new CacheEvent(CacheEventType.Updated, old, obj));
        }
    }

    /// <summary>Marks the cache synced; the reflector calls it after handlers saw the first list, so a worker
    /// starting on sync finds those keys queued already (one reconcile per object, not two).</summary>
    internal void MarkSynced() => _synced.TrySetResult();
}
