using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;
using CryptoIndex.LocalKube.Watch;

namespace CryptoIndex.LocalKube.Storage;

/// <summary>A committed change, kept in the bounded history that watches replay from.</summary>
internal sealed record StoredEvent(long Rv, string StorageKey, string Type, JsonObject Object, JsonObject? Old);

/// <summary>
/// All objects of one cluster, keyed by (group/plural, namespace/name), with one global resourceVersion counter,
/// a bounded event history and the open watches. Every method must be called with <see cref="Gate"/> held; stored
/// objects never leave the lock (callers get clones), so JsonNode's lazy materialisation is never raced.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _data = new(StringComparer.Ordinal);
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<Watcher> _watchers = [];
    private readonly int _historyLimit;
    private long _rv;
    private long _compactedRv;

    public ObjectStore(int historyLimit, long initialResourceVersion)
    {
        _historyLimit = historyLimit;
        _rv = initialResourceVersion;
        _compactedRv = initialResourceVersion;
    }

    public Lock Gate { get; } = new();

    public long CurrentRv => _rv;

    /// <summary>Oldest resourceVersion a watch can still start from (older ones get 410 Expired).</summary>
    public long CompactedRv => _compactedRv;

    public IReadOnlyList<Watcher> Watchers => _watchers;

    public long NextRv() => ++_rv;

    private static string Key(string ns, string name) => ns + "/" + name;

    public JsonObject? Get(string storageKey, string ns, string name) =>
        _data.TryGetValue(storageKey, out var objects) && objects.TryGetValue(Key(ns, name), out var o) ? o : null;

    /// <summary>Objects of a resource ordered by namespace/name (the etcd key order lists and continue tokens use).</summary>
    public IEnumerable<JsonObject> List(string storageKey, string? ns) =>
        _data.TryGetValue(storageKey, out var objects)
            ? objects.Values.Where(o => ns is null || Json.Namespace(o) == ns)
            : [];

    /// <summary>Objects of a resource as they were at <paramref name="rv"/>, rebuilt by undoing the newer history
    /// (what etcd's MVCC gives a real server); null when the history no longer reaches back that far.</summary>
    public IEnumerable<JsonObject>? ListAt(string storageKey, string? ns, long rv)
    {
        if (rv >= _rv)
        {
            return List(storageKey, ns);
        }

        if (rv < _compactedRv)
        {
            return null;
        }

        var state = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var o in List(storageKey, null))
        {
            state[Key(Json.Namespace(o), Json.Name(o))] = o;
        }

        for (var node = _history.Last; node is not null && node.Value.Rv > rv; node = node.Previous)
        {
            var e = node.Value;
            if (e.StorageKey != storageKey)
            {
                continue;
            }

            var key = Key(Json.Namespace(e.Object), Json.Name(e.Object));
            if (e.Type == "ADDED" || e.Old is null)
            {
                state.Remove(key);
            }
            else
            {
                state[key] = e.Old;
            }
        }

        return state.Values.Where(o => ns is null || Json.Namespace(o) == ns);
    }

    public IEnumerable<(string StorageKey, JsonObject Object)> AllObjects() =>
        _data.SelectMany(kv => kv.Value.Values.Select(o => (kv.Key, o))).ToList();

    /// <summary>Stores (ADDED/MODIFIED) or removes (DELETED) an object whose resourceVersion is already set,
    /// records the change and offers it to every open watch.</summary>
    public void Commit(string storageKey, string type, JsonObject obj, JsonObject? old)
    {
        if (!_data.TryGetValue(storageKey, out var objects))
        {
            objects = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _data[storageKey] = objects;
        }

        var key = Key(Json.Namespace(obj), Json.Name(obj));
        if (type == "DELETED")
        {
            objects.Remove(key);
        }
        else
        {
            objects[key] = obj;
        }

        var rv = long.Parse(Json.MetaString(obj, "resourceVersion")!, System.Globalization.CultureInfo.InvariantCulture);
        var e = new StoredEvent(rv, storageKey, type, obj, old);
        _history.AddLast(e);
        while (_history.Count > _historyLimit)
        {
            _compactedRv = _history.First!.Value.Rv;
            _history.RemoveFirst();
        }

        foreach (var w in _watchers)
        {
            w.Offer(e);
        }
    }

    /// <summary>Forgets the whole history: every watch from an older resourceVersion now gets 410.</summary>
    public void Compact()
    {
        _history.Clear();
        _compactedRv = _rv;
    }

    /// <summary>Registers a watch. <paramref name="fromRv"/> null or 0 sends the current state as ADDED events;
    /// otherwise the history after it is replayed, or the watch gets the in-stream 410 when it is too old.</summary>
    public bool StartWatch(Watcher w, long? fromRv, bool sendInitialEventsEndBookmark)
    {
        if (fromRv is null or 0)
        {
            foreach (var o in List(w.Type.StorageKey, w.Namespace).Where(w.Matches))
            {
                w.Send("ADDED", o);
            }

            if (sendInitialEventsEndBookmark)
            {
                w.Send("BOOKMARK", w.BookmarkObject(_rv, initialEventsEnd: true));
            }
        }
        else if (fromRv < _compactedRv)
        {
            w.Expire(fromRv.Value, _compactedRv + 1);
            return false;
        }
        else
        {
            foreach (var e in _history.Where(e => e.Rv > fromRv))
            {
                w.Offer(e);
            }
        }

        _watchers.Add(w);
        return true;
    }

    public void StopWatch(Watcher w)
    {
        _watchers.Remove(w);
        w.Close();
    }

    /// <summary>The object as served at the requested version: a private copy with the requested apiVersion
    /// (CRDs use conversion strategy None, so only apiVersion changes between versions).</summary>
    public static JsonObject AsVersion(JsonObject obj, ResourceType type)
    {
        var copy = Json.Clone(obj);
        if (type.Flavor == TypeFlavor.EventsV1Event)
        {
            return EventConversion.CoreToV1(copy);
        }

        if (type.Flavor == TypeFlavor.Custom || copy["apiVersion"] is null)
        {
            var reordered = new JsonObject { ["apiVersion"] = type.ApiVersion, ["kind"] = Json.Str(copy["kind"]) ?? type.Kind };
            foreach (var (k, v) in copy.ToList())
            {
                if (k is not ("apiVersion" or "kind"))
                {
                    copy.Remove(k);
                    reordered[k] = v;
                }
            }

            return reordered;
        }

        return copy;
    }
}
