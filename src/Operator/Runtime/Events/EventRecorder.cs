using System.Globalization;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CryptoIndex.Operator.Runtime.Events;

/// <summary>
/// Writes core/v1 Events the way client-go's recorder does (its <c>eventLogger</c>): a repeat of the same event
/// (same object, type, reason, message, source) is not a new object but bumps <c>count</c> and <c>lastTimestamp</c>
/// of the existing one with a patch; if that event has gone (TTL), a new one is created. The dedup cache is an LRU
/// of 4096 entries like client-go's. Recording is best effort: a failed write is logged, never thrown.
/// </summary>
public sealed partial class EventRecorder : IDisposable
{
    private const int MaxEntries = 4096;

    private readonly IKubernetes _client;
    private readonly string _component;
    private readonly string _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, LinkedListNode<(string Key, Entry Entry)>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, Entry Entry)> _lru = new();

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
        var key = string.Join('\u0001', _component, _host, reference.ApiVersion, reference.Kind, ns, reference.Name, reference.Uid, type, reason, message);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow().UtcDateTime;
            now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)); // metav1.Time has second precision
            if (_index.TryGetValue(key, out var node))
            {
                var entry = node.Value.Entry;
                _lru.Remove(node);
                _lru.AddFirst(node);
                entry.Count++;
                if (await TryPatchAsync(entry, ns, now, message, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                Evict(key);
            }

            var name = reference.Name + "." + _time.GetUtcNow().ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture) +
                       Random.Shared.Next(0x1000).ToString("x3", CultureInfo.InvariantCulture);
            var ev = new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                InvolvedObject = reference,
                Type = type,
                Reason = reason,
                Message = message,
                Count = 1,
                FirstTimestamp = now,
                LastTimestamp = now,
                Source = new V1EventSource { Component = _component, Host = _host },
                ReportingComponent = _component,
                ReportingInstance = _host,
            };
            await _client.CoreV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            var added = _lru.AddFirst((key, new Entry(name, now)));
            _index[key] = added;
            if (_lru.Count > MaxEntries)
            {
                Evict(_lru.Last!.Value.Key);
            }
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

    private async Task<bool> TryPatchAsync(Entry entry, string ns, DateTime now, string message, CancellationToken ct)
    {
        var patch = "{\"count\":" + entry.Count.ToString(CultureInfo.InvariantCulture) +
                    ",\"lastTimestamp\":\"" + now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) +
                    "\",\"message\":" + System.Text.Json.JsonSerializer.Serialize(message) + "}";
        try
        {
            await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), entry.Name, ns,
                cancellationToken: ct).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return false; // expired or deleted: start a new event, as client-go does
        }
    }

    private void Evict(string key)
    {
        if (_index.Remove(key, out var node))
        {
            _lru.Remove(node);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Key}")]
    private partial void LogFailed(string reason, ObjectKey key, Exception error);

    private sealed class Entry(string name, DateTime first)
    {
        public string Name { get; } = name;

        public DateTime First { get; } = first;

        public int Count { get; set; } = 1;
    }
}
