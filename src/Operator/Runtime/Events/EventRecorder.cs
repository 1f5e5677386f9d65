using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CryptoIndex.Operator.Runtime.Events;

/// <summary>
/// Writes core/v1 Events the way client-go's recorder does (its <c>EventCorrelator</c>):
/// <list type="bullet">
/// <item>Dedup (<c>eventLogger</c>): a repeat of the same event (object, type, reason, message, source) is not a new
/// Event but bumps <c>count</c> and <c>lastTimestamp</c> of the existing one with a patch; if it has gone (TTL), a
/// new one is created.</item>
/// <item>Aggregation (<c>EventAggregator</c>): from the 10th distinct message with the same object, type and reason
/// within 10 minutes, they are folded into one Event "(combined from similar events): …".</item>
/// <item>Spam filter (<c>EventSourceObjectSpamFilter</c>): per source and object, a token bucket of 25 with one
/// token per 5 minutes; events beyond it are dropped.</item>
/// </list>
/// Caches are LRUs of 4096 entries, as in client-go. Recording is best effort: a failed write is logged, never thrown.
/// </summary>
public sealed partial class EventRecorder : IDisposable
{
    private const int CacheSize = 4096;
    private const int AggregateMaxEvents = 10;
    private static readonly TimeSpan AggregateInterval = TimeSpan.FromMinutes(10);
    private const int SpamBurst = 25;
    private const double SpamQps = 1.0 / 300;

    private readonly IKubernetes _client;
    private readonly string _component;
    private readonly string _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _sequence;
    private readonly LruCache<(string Name, int Count, DateTime First)> _seen = new(CacheSize);
    private readonly LruCache<(HashSet<string> Messages, DateTimeOffset Last)> _aggregates = new(CacheSize);
    private readonly LruCache<TokenBucket> _spam = new(CacheSize);

    public EventRecorder(IKubernetes client, string component, TimeProvider? time = null, string? host = null, ILogger<EventRecorder>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(component);
        _client = client;
        _component = component;
        _host = host ?? Environment.MachineName;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Records a Normal event.</summary>
    public Task NormalAsync(KubeObject obj, string reason, string message, CancellationToken cancellationToken = default) =>
        RecordAsync(obj, "Normal", reason, message, cancellationToken);

    /// <summary>Records a Warning event.</summary>
    public Task WarningAsync(KubeObject obj, string reason, string message, CancellationToken cancellationToken = default) =>
        RecordAsync(obj, "Warning", reason, message, cancellationToken);

    /// <summary>Records an event of <paramref name="type"/> (Normal or Warning) about <paramref name="obj"/>.</summary>
    public async Task RecordAsync(KubeObject obj, string type, string reason, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var reference = new V1ObjectReference
        {
            ApiVersion = obj.Json.TryGetProperty("apiVersion", out var av) ? av.GetString() : null,
            Kind = obj.Json.TryGetProperty("kind", out var k) ? k.GetString() : null,
            NamespaceProperty = obj.Key.Namespace,
            Name = obj.Key.Name,
            Uid = obj.Uid,
            ResourceVersion = obj.ResourceVersion,
        };
        var ns = obj.Key.Namespace ?? "default";
        var source = string.Join('\u0001', _component, _host, reference.ApiVersion, reference.Kind, ns, reference.Name, reference.Uid);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var clock = _time.GetUtcNow();
            var now = clock.UtcDateTime.AddTicks(-(clock.UtcDateTime.Ticks % TimeSpan.TicksPerSecond)); // metav1.Time: seconds

            // Aggregate first, then dedup on the resulting key, then the spam filter (client-go's EventCorrelate order).
            var (key, text) = Aggregate(source, type, reason, message, clock);
            var repeat = _seen.TryGet(key, out var seen);
            var count = repeat ? seen.Count + 1 : 1;
            _seen.Set(key, repeat ? (seen.Name, count, seen.First) : ("", 1, now));
            if (!SpamAccept(source))
            {
                return;
            }

            if (repeat && seen.Name.Length > 0 && await TryPatchAsync(seen.Name, ns, count, now, text, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // client-go: "<name>.<unix nanos in hex>"; the sequence keeps names unique within one clock tick.
            var nanos = (clock.ToUnixTimeMilliseconds() * 1_000_000) + (++_sequence % 1_000_000);
            var name = reference.Name + "." + nanos.ToString("x", CultureInfo.InvariantCulture);
            await _client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = reference,
                Type = type,
                Reason = reason,
                Message = text,
                Count = 1,
                FirstTimestamp = now,
                LastTimestamp = now,
                Source = new V1EventSource { Component = _component, Host = _host },
                ReportingComponent = _component,
                ReportingInstance = _host,
            }, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            _seen.Set(key, (name, 1, now));
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException)
        {
            LogFailed(reason, obj.Key, e);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>client-go's <c>EventAggregate</c>: returns the dedup key and message to use.</summary>
    private (string Key, string Message) Aggregate(string source, string type, string reason, string message, DateTimeOffset now)
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

    private bool SpamAccept(string source)
    {
        if (!_spam.TryGet(source, out var bucket))
        {
            bucket = new TokenBucket(SpamQps, SpamBurst, _time);
        }

        _spam.Set(source, bucket);
        return bucket.TryAccept();
    }

    private async Task<bool> TryPatchAsync(string name, string ns, int count, DateTime now, string message, CancellationToken ct)
    {
        var patch = "{\"count\":" + count.ToString(CultureInfo.InvariantCulture) +
                    ",\"lastTimestamp\":\"" + now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) +
                    "\",\"message\":" + System.Text.Json.JsonSerializer.Serialize(message) + "}";
        try
        {
            await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, ns,
                cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return false; // expired or deleted: start a new event, as client-go does
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Key}")]
    private partial void LogFailed(string reason, ObjectKey key, Exception error);
}
