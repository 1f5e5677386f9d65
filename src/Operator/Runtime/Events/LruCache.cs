namespace CryptoIndex.Operator.Runtime.Events;

/// <summary>A bounded least-recently-used map (client-go's event caches hold 4096 entries). Not thread-safe.</summary>
internal sealed class LruCache<TValue>(int capacity)
{
    private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, TValue Value)> _order = new();

    public bool TryGet(string key, out TValue value)
    {
        if (_index.TryGetValue(key, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            value = node.Value.Value;
            return true;
        }

        value = default!;
        return false;
    }

    public void Set(string key, TValue value)
    {
        Remove(key);
        _index[key] = _order.AddFirst((key, value));
        if (_order.Count > capacity)
        {
            Remove(_order.Last!.Value.Key);
        }
    }

    public void Remove(string key)
    {
        if (_index.Remove(key, out var node))
        {
            _order.Remove(node);
        }
    }
}
