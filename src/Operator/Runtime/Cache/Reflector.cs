using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CryptoIndex.Operator.Runtime.Cache;

/// <summary>
/// client-go's reflector and informer for one custom resource: list, then watch from the list's resourceVersion with
/// bookmarks and a random server timeout, keeping <see cref="Cache"/> current and telling handlers what changed.
/// <list type="bullet">
/// <item>410 (HTTP status or in-stream ERROR, which KubernetesClient only reports through <c>onError</c>) → relist
/// and diff against the cache, with synthetic deletes for objects that vanished meanwhile.</item>
/// <item>A silent stream is cut by a client-side idle timeout (server timeout + 5 s): no watch is lost silently.</item>
/// <item>Failures (a watch refused or cut, however late) back off 800 ms → 30 s with jitter, reset after 2 min of
/// health; the server's clean close resumes at once.</item>
/// </list>
/// </summary>
public sealed partial class Reflector
{
    private static readonly TimeSpan MinHealthyWatch = TimeSpan.FromSeconds(1);

    private readonly IKubernetes _client;
    private readonly ResourceType _type;
    private readonly TimeProvider _time;
    private readonly ReflectorOptions _options;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly ExponentialBackoff _backoff;
    private readonly List<Action<CacheEvent>> _handlers = [];
    private Exception? _lastWatchError;
    private long _relists;
    private long _watches;

    public Reflector(IKubernetes client, ResourceType type, TimeProvider? time = null, ReflectorOptions? options = null,
        ILogger<Reflector>? logger = null, ObjectCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(type);
        _client = client;
        _type = type;
        _time = time ?? TimeProvider.System;
        _options = options ?? new ReflectorOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _random = _options.Random ?? Random.Shared;
        _backoff = new ExponentialBackoff(_options.BackoffInitial, _options.BackoffMax, _options.BackoffFactor,
            _options.BackoffJitter, _options.BackoffReset, _time, _random);
        Cache = cache ?? new ObjectCache();
    }

    public ObjectCache Cache { get; }

    public ResourceType Type => _type;

    /// <summary>Number of full lists so far (the first one included).</summary>
    public long Relists => Interlocked.Read(ref _relists);

    /// <summary>Number of watch requests so far.</summary>
    public long Watches => Interlocked.Read(ref _watches);

    /// <summary>The last watch outcome.</summary>
    public WatchEnd? LastWatchEnd { get; private set; }

    /// <summary>Raised on every phase change, with the backoff delay for <see cref="ReflectorPhase.BackingOff"/>.</summary>
    public event Action<ReflectorPhase, TimeSpan>? PhaseChanged;

    /// <summary>
    /// Raised each time the reflector starts over: with how the watch ended, or null when a list failed (the controller
    /// counts these in <c>reflector_watch_restarts_total</c>).
    /// </summary>
    public event Action<WatchEnd?>? Restarting;

    /// <summary>Registers a handler; it runs on the reflector's loop after the cache was updated, so keep it cheap.</summary>
    public void AddHandler(Action<CacheEvent> handler)
    {
        lock (_handlers)
        {
            _handlers.Add(handler);
        }
    }

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var resync = _options.ResyncPeriod is { } period
            ? _time.CreateTimer(_ => Resync(), null, period, period)
            : null;
        string? resourceVersion = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan delay;
                try
                {
                    if (resourceVersion is null)
                    {
                        Report(ReflectorPhase.Listing, TimeSpan.Zero);
                        resourceVersion = await ListAsync(cancellationToken).ConfigureAwait(false);
                    }

                    Report(ReflectorPhase.Watching, TimeSpan.Zero);
                    var (end, rv) = await WatchAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                    LastWatchEnd = end;
                    Restarting?.Invoke(end);
                    resourceVersion = end is WatchEnd.Expired or WatchEnd.Undecodable ? null : rv;
                    if (end == WatchEnd.Closed)
                    {
                        continue;
                    }

                    LogWatchEnded(_type, end);
                    delay = Max(_backoff.Next(), RetryAfter(_lastWatchError));
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    LogListFailed(_type, e);
                    Restarting?.Invoke(null);
                    resourceVersion = IsGone(e) ? null : resourceVersion;
                    delay = Max(_backoff.Next(), RetryAfter(e));
                }

                // The timer exists before the report, so a test may advance a fake clock as soon as it hears of it.
                var wait = Task.Delay(delay, _time, cancellationToken);
                Report(ReflectorPhase.BackingOff, delay);
                await wait.ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            Report(ReflectorPhase.Stopped, TimeSpan.Zero);
        }
    }

    private async Task<string> ListAsync(CancellationToken ct)
    {
        var items = new List<KubeObject>();
        string? cont = null;
        string resourceVersion;
        do
        {
            var page = await ListPageAsync(cont, ct).ConfigureAwait(false);
            var metadata = page.GetProperty("metadata");
            resourceVersion = metadata.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() ?? "" : "";
            cont = metadata.TryGetProperty("continue", out var c) ? c.GetString() : null;
            if (page.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                items.AddRange(list.EnumerateArray().Select(KubeObject.From));
            }
        }
        while (!string.IsNullOrEmpty(cont));

        Interlocked.Increment(ref _relists);
        Dispatch(Cache.Replace(items));
        Cache.MarkSynced();
        return resourceVersion;
    }

    private async Task<JsonElement> ListPageAsync(string? cont, CancellationToken ct)
    {
        var ops = _client.CustomObjects;
        var t = _type;
        using var response = !t.Namespaced
            ? await ops.ListClusterCustomObjectWithHttpMessagesAsync(t.Group, t.Version, t.Plural, continueParameter: cont,
                labelSelector: t.LabelSelector, limit: _options.PageSize, cancellationToken: ct).ConfigureAwait(false)
            : t.Namespace is null
                ? await ops.ListCustomObjectForAllNamespacesWithHttpMessagesAsync(t.Group, t.Version, t.Plural,
                    continueParameter: cont, labelSelector: t.LabelSelector, limit: _options.PageSize, cancellationToken: ct).ConfigureAwait(false)
                : await ops.ListNamespacedCustomObjectWithHttpMessagesAsync(t.Group, t.Version, t.Namespace, t.Plural,
                    continueParameter: cont, labelSelector: t.LabelSelector, limit: _options.PageSize, cancellationToken: ct).ConfigureAwait(false);
        return ToElement(response.Body);
    }

    private IAsyncEnumerable<(WatchEventType, object)> Watch(string rv, int timeoutSeconds, Action<Exception> onError, CancellationToken ct)
    {
        var ops = _client.CustomObjects;
        var t = _type;
        return !t.Namespaced
            ? ops.WatchListClusterCustomObjectAsync(t.Group, t.Version, t.Plural, allowWatchBookmarks: true,
                labelSelector: t.LabelSelector, resourceVersion: rv, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: ct)
            : t.Namespace is null
                ? ops.WatchListCustomObjectForAllNamespacesAsync(t.Group, t.Version, t.Plural, allowWatchBookmarks: true,
                    labelSelector: t.LabelSelector, resourceVersion: rv, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: ct)
                : ops.WatchListNamespacedCustomObjectAsync(t.Group, t.Version, t.Namespace, t.Plural, allowWatchBookmarks: true,
                    labelSelector: t.LabelSelector, resourceVersion: rv, timeoutSeconds: timeoutSeconds, onError: onError, cancellationToken: ct);
    }

    private async Task<(WatchEnd End, string ResourceVersion)> WatchAsync(string rv, CancellationToken ct)
    {
        var min = (int)_options.MinWatchTimeout.TotalSeconds;
        var max = Math.Max(min, (int)_options.MaxWatchTimeout.TotalSeconds);
        var timeoutSeconds = _random.Next(min, max + 1);
        var idle = _options.IdleTimeout ?? TimeSpan.FromSeconds(timeoutSeconds + 5);
        using var idleCts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var unreadable = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, idleCts.Token, unreadable.Token);
        idleCts.CancelAfter(idle);
        Exception? streamError = null;
        _lastWatchError = null;
        var events = 0;
        var started = _time.GetTimestamp();
        Interlocked.Increment(ref _watches);
        try
        {
            // KubernetesClient reports an event it cannot read here and reads on, past it: end the watch at once, so the
            // relist comes now, not when the server closes the stream minutes later.
            await foreach (var (type, payload) in Watch(rv, timeoutSeconds, e => { streamError ??= e; unreadable.Cancel(); }, linked.Token).ConfigureAwait(false))
            {
                idleCts.CancelAfter(idle);
                events++;
                var json = ToElement(payload);
                if (type == WatchEventType.Error)
                {
                    return (IsGoneStatus(json) ? WatchEnd.Expired : WatchEnd.Error, rv);
                }

                if (type == WatchEventType.Bookmark)
                {
                    rv = json.GetProperty("metadata").GetProperty("resourceVersion").GetString() ?? rv;
                    continue;
                }

                var obj = KubeObject.From(json);
                rv = obj.ResourceVersion;
                Dispatch(type == WatchEventType.Deleted ? [Cache.Delete(obj)] : Cache.Upsert(obj));
            }
        }
        catch (Exception) when (unreadable.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            // Handled below, with a stream that ended by itself after an error.
        }
        catch (Exception) when (idleCts.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return (WatchEnd.IdleTimeout, rv);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            if (IsGone(e))
            {
                return (WatchEnd.Expired, rv);
            }

            // KubernetesClient throws this when the server ends a watch cleanly before its first event (its reader
            // looks for a first line and finds the end of the stream); after a while that is a normal timeout. Any other
            // HttpRequestException (connection refused or reset, a proxy with no backend) is a failure and backs off:
            // taken for a close, a down or flapping API server would get a reconnect at once, again and again.
            if (e is HttpRequestException { InnerException: EndOfStreamException } && events == 0 &&
                _time.GetElapsedTime(started) >= MinHealthyWatch)
            {
                return (WatchEnd.Closed, rv);
            }

            LogWatchFailed(_type, e);
            _lastWatchError = e;
            return (WatchEnd.Error, rv);
        }

        if (IsGone(streamError))
        {
            return (WatchEnd.Expired, rv);
        }

        if (streamError is not null)
        {
            LogWatchFailed(_type, streamError);
            _lastWatchError = streamError;
            return (WatchEnd.Undecodable, rv);
        }

        // client-go: a watch that ends within a second without any event is an error ("very short watch").
        return events == 0 && _time.GetElapsedTime(started) < MinHealthyWatch
            ? (WatchEnd.Error, rv)
            : (WatchEnd.Closed, rv);
    }

    private void Resync()
    {
        Dispatch([.. Cache.List().Select(o => new CacheEvent(CacheEventType.Resync, o, o))]);
    }

    private void Dispatch(IReadOnlyList<CacheEvent> events)
    {
        Action<CacheEvent>[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers];
        }

        foreach (var e in events)
        {
            foreach (var h in handlers)
            {
                try
                {
                    h(e);
                }
#pragma warning disable CA1031 // A faulty handler (e.g. a user predicate) must not stop the reflector or starve other handlers.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    LogHandlerFailed(_type, e.Type, error);
                }
            }
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// A 429/503 Status may ask the client to wait (<c>details.retryAfterSeconds</c>); the backoff never undercuts it.
    /// At most <see cref="MaxRetryAfter"/>: a server asking for hours is misbehaving (and a longer wait than a timer
    /// takes would end the reflector), while the cache must come back; a value that is not a whole number is ignored.
    /// </summary>
    internal static TimeSpan RetryAfter(Exception? e)
    {
        if (e is not HttpOperationException { Response.Content: { Length: > 0 } content })
        {
            return TimeSpan.Zero;
        }

        try
        {
            using var doc = JsonDocument.Parse(content);
            return doc.RootElement.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object &&
                   d.TryGetProperty("retryAfterSeconds", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(Math.Min(seconds, (long)MaxRetryAfter.TotalSeconds))
                : TimeSpan.Zero;
        }
        catch (JsonException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>The longest wait a server's <c>retryAfterSeconds</c> can impose on the reflector.</summary>
    internal static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(10);

    private void Report(ReflectorPhase phase, TimeSpan delay) => PhaseChanged?.Invoke(phase, delay);

    private static JsonElement ToElement(object? payload) =>
        payload is JsonElement e ? e : JsonSerializer.SerializeToElement(payload);

    private static bool IsGoneStatus(JsonElement status) =>
        status.ValueKind == JsonValueKind.Object && status.TryGetProperty("code", out var c) &&
        c.ValueKind == JsonValueKind.Number && c.GetInt32() == (int)HttpStatusCode.Gone;

    internal static bool IsGone(Exception? e) => e switch
    {
        KubernetesException k => k.Status?.Code == (int)HttpStatusCode.Gone,
        HttpOperationException h => h.Response?.StatusCode == HttpStatusCode.Gone,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Type} ended: {End}")]
    private partial void LogWatchEnded(ResourceType type, WatchEnd end);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Type} failed")]
    private partial void LogWatchFailed(ResourceType type, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event handler for {Type} failed on {EventType}")]
    private partial void LogHandlerFailed(ResourceType type, CacheEventType eventType, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List of {Type} failed")]
    private partial void LogListFailed(ResourceType type, Exception error);
}
