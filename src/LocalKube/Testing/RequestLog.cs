namespace CryptoIndex.LocalKube;

/// <summary>One API request as the fake server saw it. <see cref="Verb"/> uses Kubernetes verbs
/// (get, list, watch, create, update, patch, delete, deletecollection); non-resource paths use "get".</summary>
public sealed record ApiRequest(
    DateTimeOffset Time,
    string Method,
    string Path,
    string Query,
    string Verb,
    string Group,
    string Resource,
    string Subresource,
    string Namespace,
    string Name,
    int StatusCode,
    string UserAgent,
    string ContentType);

/// <summary>
/// Every request answered by the cluster, in order, with counters by verb and resource so tests can assert how
/// many API calls the code under test made (for example zero writes when nothing changed). Entries are recorded
/// before the response is sent, so a completed client call is always visible here.
/// </summary>
public sealed class RequestLog
{
    private static readonly HashSet<string> WriteVerbs = new(StringComparer.Ordinal)
    {
        "create", "update", "patch", "delete", "deletecollection",
    };

    private readonly Lock _gate = new();
    private readonly List<ApiRequest> _requests = [];
    private readonly int _limit;
    private long _recorded;

    /// <summary>A log keeping the latest <paramref name="limit"/> requests (older ones are forgotten); 0 keeps every one.</summary>
    public RequestLog(int limit = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _limit = limit;
    }
    private readonly List<(Func<ApiRequest, bool> Predicate, TaskCompletionSource<ApiRequest> Done)> _waiters = [];

    /// <summary>A snapshot of all requests so far.</summary>
    public IReadOnlyList<ApiRequest> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>
    /// How many requests were recorded since the server started (forgotten ones included): cheap to read, for a test
    /// that waits until the code under test has stopped calling.
    /// </summary>
    public long Recorded => Interlocked.Read(ref _recorded);

    /// <summary>Requests matching every given filter. <paramref name="resource"/> is the plural
    /// (e.g. "indexfunds"); use "indexfunds/status" to count only the status subresource.</summary>
    public IReadOnlyList<ApiRequest> Where(string? verb = null, string? resource = null, string? name = null, string? ns = null) =>
        All.Where(r => Matches(r, verb, resource, name, ns)).ToList();

    /// <summary>How many requests match the filters (see <see cref="Where"/>).</summary>
    public int Count(string? verb = null, string? resource = null, string? name = null, string? ns = null) =>
        Where(verb, resource, name, ns).Count;

    /// <summary>Number of writes (create, update, patch, delete, deletecollection), optionally for one resource.</summary>
    public int Writes(string? resource = null) =>
        All.Count(r => WriteVerbs.Contains(r.Verb) && Matches(r, null, resource, null, null));

    /// <summary>Counters keyed by "verb resource" (e.g. "patch indexfunds/status", "list indexfunds").</summary>
    public IReadOnlyDictionary<string, int> Counters =>
        All.Where(r => r.Resource.Length > 0)
            .GroupBy(r => r.Verb + " " + r.Resource + (r.Subresource.Length > 0 ? "/" + r.Subresource : string.Empty), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    /// <summary>Forgets everything recorded so far (e.g. after test setup).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    /// <summary>Completes with the first request (already recorded or future) matching <paramref name="predicate"/>,
    /// e.g. "the operator has opened its watch". Fails with <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/> (default 30 s), a guard only: the wait ends as soon as the request is recorded.</summary>
    public async Task<ApiRequest> WaitForAsync(Func<ApiRequest, bool> predicate, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        TaskCompletionSource<ApiRequest> done;
        lock (_gate)
        {
            var existing = _requests.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return existing;
            }

            done = new TaskCompletionSource<ApiRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((predicate, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> requests match the filters (see <see cref="Where"/>).</summary>
    public async Task WaitForCountAsync(int count, string? verb = null, string? resource = null, string? name = null,
        string? ns = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var seen = 0;
        await WaitForAsync(r => Matches(r, verb, resource, name, ns) && ++seen >= count, timeout, cancellationToken).ConfigureAwait(false);
    }

    internal void Add(ApiRequest request)
    {
        List<TaskCompletionSource<ApiRequest>> completed = [];
        lock (_gate)
        {
            _requests.Add(request);
            Interlocked.Increment(ref _recorded);
            if (_limit > 0 && _requests.Count > 2 * _limit)
            {
                _requests.RemoveRange(0, _requests.Count - _limit); // amortised: a long-running server stays bounded
            }

            foreach (var (predicate, done) in _waiters.Where(w => w.Predicate(request)).ToList())
            {
                completed.Add(done);
                _waiters.RemoveAll(w => w.Done == done);
            }
        }

        foreach (var done in completed)
        {
            done.TrySetResult(request);
        }
    }

    internal static bool Matches(ApiRequest r, string? verb, string? resource, string? name, string? ns)
    {
        if (verb is not null && r.Verb != verb)
        {
            return false;
        }

        if (resource is not null)
        {
            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            var plural = slash < 0 ? resource : resource[..slash];
            var sub = slash < 0 ? null : resource[(slash + 1)..];
            if (r.Resource != plural || (sub is not null && r.Subresource != sub))
            {
                return false;
            }
        }

        return (name is null || r.Name == name) && (ns is null || r.Namespace == ns);
    }
}
