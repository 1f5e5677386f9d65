namespace CryptoIndex.Operator.Runtime.Hosting;

/// <summary>
/// Review answers by key (a hash of the token, never the token), each kept for a fixed time on the given clock; at
/// most <c>capacity</c> entries: when full, expired entries go first, then the one expiring soonest.
/// </summary>
internal sealed class ReviewCache(TimeProvider time, TimeSpan ttl, int capacity)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (AccessDecision Decision, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public AccessDecision? Get(string key)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return null;
            }

            if (entry.Expires > time.GetUtcNow())
            {
                return entry.Decision;
            }

            _entries.Remove(key);
            return null;
        }
    }

    public void Add(string key, AccessDecision decision)
    {
        if (ttl <= TimeSpan.Zero || capacity <= 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (_entries.Count >= capacity && !_entries.ContainsKey(key))
            {
                foreach (var expired in _entries.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToList())
                {
                    _entries.Remove(expired);
                }

                if (_entries.Count >= capacity)
                {
                    _entries.Remove(_entries.MinBy(e => e.Value.Expires).Key);
                }
            }

            _entries[key] = (decision, now + ttl);
        }
    }
}
