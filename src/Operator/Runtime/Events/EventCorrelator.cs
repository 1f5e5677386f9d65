namespace CryptoIndex.Operator.Runtime.Events;

/// <summary>
/// The state of client-go's <c>EventCorrelator</c>, in its order: aggregation, then dedup on the resulting key, then
/// the spam filter — which here budgets each object's Events per reason, not per object as client-go does: a reason
/// told often (a dry run's changing plan, say) must not use up what an object's rare Events need (a rebalance that
/// completed). Not thread-safe: <see cref="EventRecorder"/> calls it under its lock, never across an API call.
/// </summary>
internal sealed class EventCorrelator(TimeProvider time)
{
    private const int CacheSize = 4096;
    private const int AggregateMaxEvents = 10;
    private static readonly TimeSpan AggregateInterval = TimeSpan.FromMinutes(10);
    private const int SpamBurst = 25;
    private const double SpamQps = 1.0 / 300;

    private readonly LruCache<(string Name, int Count, DateTime First)> _seen = new(CacheSize);
    private readonly LruCache<(HashSet<string> Messages, DateTimeOffset Last)> _aggregates = new(CacheSize);
    private readonly LruCache<TokenBucket> _spam = new(CacheSize);

    /// <summary>client-go's <c>EventAggregate</c>: returns the dedup key and message to use.</summary>
    public (string Key, string Message) Aggregate(string source, string type, string reason, string message, DateTimeOffset now)
    {
        var aggregateKey = string.Join('\u0001', source, type, reason);
        var messages = _aggregates.TryGet(aggregateKey, out var r) && now - r.Last <= AggregateInterval
            ? r.Messages
            : new HashSet<string>(StringComparer.Ordinal);
        messages.Add(message);
        _aggregates.Set(aggregateKey, (messages, now));
        if (messages.Count < AggregateMaxEvents)
        {
            return (string.Join('\u0001', aggregateKey, message), message);
        }

        messages.Remove(messages.First()); // do not grow beyond the threshold
        return (aggregateKey, "(combined from similar events): " + message);
    }

    /// <summary>
    /// Counts one more occurrence of the Event <paramref name="key"/> and says what to write: nothing (null) when the
    /// spam filter holds it back (the count still grows, so the next write carries it), else the existing Event to
    /// patch (null: create one) and its new count.
    /// </summary>
    public (string? Existing, int Count)? Observe(string key, string source, string reason, DateTime now)
    {
        var repeat = _seen.TryGet(key, out var seen);
        var count = repeat ? seen.Count + 1 : 1;
        _seen.Set(key, repeat ? (seen.Name, count, seen.First) : ("", 1, now));
        if (!SpamAccept(string.Join('\u0001', source, reason)))
        {
            return null;
        }

        return (repeat && seen.Name.Length > 0 ? seen.Name : null, count);
    }

    /// <summary>An Event was created for <paramref name="key"/>: repeats patch it from now on.</summary>
    public void Created(string key, string name, DateTime now) => _seen.Set(key, (name, 1, now));

    private bool SpamAccept(string sourceAndReason)
    {
        if (!_spam.TryGet(sourceAndReason, out var bucket))
        {
            bucket = new TokenBucket(SpamQps, SpamBurst, time);
        }

        _spam.Set(sourceAndReason, bucket);
        return bucket.TryAccept();
    }
}
