using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube;

/// <summary>
/// Scriptable failures for one cluster: fail the next N matching requests, add latency, and disturb watches
/// (close them cleanly, expire them with the in-stream 410 a real server sends, or drop them silently).
/// Filters: <c>verb</c> (Kubernetes verb), <c>resource</c> (plural, or "plural/status" for the subresource only),
/// <c>name</c>, <c>ns</c>; null matches anything.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _gate = new();
    private readonly List<Rule> _rules = [];
    private readonly List<string?> _expireNextWatch = [];
    private readonly ApiServer _server;

    internal FaultInjector(ApiServer server) => _server = server;

    internal sealed class Rule
    {
        public string? Verb { get; init; }

        public string? Resource { get; init; }

        public string? Name { get; init; }

        public string? Namespace { get; init; }

        public int? Remaining { get; set; }

        public int StatusCode { get; init; }

        public TimeSpan? RetryAfter { get; init; }

        public TimeSpan Delay { get; init; }

        /// <summary>The request is executed first, then answered with the failure (its answer lost).</summary>
        public bool AfterApplying { get; init; }
    }

    /// <summary>Answers the next <paramref name="count"/> matching requests with <paramref name="statusCode"/> and a
    /// matching Status body (500 InternalError, 503 ServiceUnavailable, 429 TooManyRequests with Retry-After,
    /// 409 Conflict, ...), without executing them.</summary>
    public void FailNext(int count, int statusCode, string? verb = null, string? resource = null, string? name = null,
        string? ns = null, TimeSpan? retryAfter = null)
    {
        lock (_gate)
        {
            _rules.Add(new Rule
            {
                Verb = verb, Resource = resource, Name = name, Namespace = ns, Remaining = count, StatusCode = statusCode,
                RetryAfter = retryAfter ?? (statusCode == 429 ? TimeSpan.FromSeconds(1) : null),
            });
        }
    }

    /// <summary>Executes the next <paramref name="count"/> matching requests, then answers them with
    /// <paramref name="statusCode"/> (504 Timeout, 500, ...) instead of their result: a write that was applied although
    /// its client saw it fail, as when the server times out after committing or the connection drops on the way back.</summary>
    public void FailNextAfterApplying(int count, int statusCode, string? verb = null, string? resource = null, string? name = null, string? ns = null)
    {
        lock (_gate)
        {
            _rules.Add(new Rule { Verb = verb, Resource = resource, Name = name, Namespace = ns, Remaining = count, StatusCode = statusCode, AfterApplying = true });
        }
    }

    /// <summary>Delays matching requests by <paramref name="delay"/> (all of them, or the next <paramref name="count"/>).</summary>
    public void AddLatency(TimeSpan delay, string? verb = null, string? resource = null, string? name = null, int? count = null)
    {
        lock (_gate)
        {
            _rules.Add(new Rule { Verb = verb, Resource = resource, Name = name, Remaining = count, Delay = delay });
        }
    }

    /// <summary>Removes every pending failure and latency rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
            _expireNextWatch.Clear();
        }
    }

    /// <summary>The next watch on <paramref name="resource"/> (any if null) gets the in-stream 410 Expired ERROR.</summary>
    public void ExpireNextWatch(string? resource = null)
    {
        lock (_gate)
        {
            _expireNextWatch.Add(resource);
        }
    }

    /// <summary>Ends open watches cleanly (as a server does at timeoutSeconds). Returns how many were closed.</summary>
    public int CloseWatches(string? resource = null) => _server.DisturbWatches(resource, WatchDisturbance.Close);

    /// <summary>Sends the in-stream ERROR 410 Expired on open watches and ends them.</summary>
    public int ExpireWatches(string? resource = null) => _server.DisturbWatches(resource, WatchDisturbance.Expire);

    /// <summary>Silently stops delivering events on open watches; connections stay open (a half-dead watch).</summary>
    public int DropWatches(string? resource = null) => _server.DisturbWatches(resource, WatchDisturbance.Drop);

    /// <summary>Forgets the event history: a watch from any resourceVersion older than now gets 410 Expired.</summary>
    public void CompactHistory() => _server.CompactHistory();

    internal bool TakeExpireNextWatch(string resource)
    {
        lock (_gate)
        {
            var i = _expireNextWatch.FindIndex(r => r is null || r == resource);
            if (i < 0)
            {
                return false;
            }

            _expireNextWatch.RemoveAt(i);
            return true;
        }
    }

    /// <summary>Total latency to add and the failure to answer (if any) for one request; consumes counts.</summary>
    internal (TimeSpan Delay, Rule? Failure) Evaluate(string verb, string resource, string subresource, string name, string ns)
    {
        lock (_gate)
        {
            var delay = TimeSpan.Zero;
            Rule? failure = null;
            var probe = new ApiRequest(default, string.Empty, string.Empty, string.Empty, verb, string.Empty, resource,
                subresource, ns, name, 0, string.Empty, string.Empty);
            foreach (var rule in _rules.ToList())
            {
                if (!RequestLog.Matches(probe, rule.Verb, rule.Resource, rule.Name, rule.Namespace))
                {
                    continue;
                }

                if (rule.StatusCode != 0 && failure is not null)
                {
                    continue;
                }

                if (rule.Remaining is not null)
                {
                    rule.Remaining--;
                    if (rule.Remaining <= 0)
                    {
                        _rules.Remove(rule);
                    }
                }

                delay += rule.Delay;
                if (rule.StatusCode != 0)
                {
                    failure = rule;
                }
            }

            return (delay, failure);
        }
    }
}

/// <summary>What <see cref="FaultInjector"/> does to open watches.</summary>
internal enum WatchDisturbance
{
    Close,
    Expire,
    Drop,
}
