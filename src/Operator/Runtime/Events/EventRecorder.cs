using System.Globalization;
using System.Net;
using CryptoIndex.Operator.Runtime.Metrics;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;

namespace CryptoIndex.Operator.Runtime.Events;

/// <summary>
/// Writes core/v1 Events the way client-go's recorder does (its <c>EventCorrelator</c>, see <see cref="EventCorrelator"/>):
/// <list type="bullet">
/// <item>Dedup (<c>eventLogger</c>): a repeat of the same event (object, type, reason, message, source) is not a new
/// Event but bumps <c>count</c> and <c>lastTimestamp</c> of the existing one with a patch; if it has gone (TTL), a
/// new one is created.</item>
/// <item>Aggregation (<c>EventAggregator</c>): from the 10th distinct message with the same object, type and reason
/// within 10 minutes, they are folded into one Event "(combined from similar events): …".</item>
/// <item>Spam filter (<c>EventSourceObjectSpamFilter</c>): per source and object, a token bucket of 25 with one
/// token per 5 minutes; events beyond it are dropped.</item>
/// </list>
/// Caches are LRUs of 4096 entries, as in client-go. Recording is best effort: a failed write of any kind (an API
/// error, a connection failure, the client's timeout) is logged and counted in <c>event_recorder_dropped_total</c>,
/// never thrown; only the caller's own cancellation is. No lock is held across an API call: a slow write delays
/// only later writes of the same Event, which must follow it (a patch needs the name its create returns).
/// </summary>
public sealed partial class EventRecorder
{
    private readonly IKubernetes _client;
    private readonly string _component;
    private readonly string _host;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Counter _dropped;
    private readonly Lock _gate = new(); // guards _correlator and _inFlight
    private readonly EventCorrelator _correlator;
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal); // dedup key → its latest write
    private long _sequence;

    public EventRecorder(IKubernetes client, string component, TimeProvider? time = null, string? host = null, ILogger<EventRecorder>? logger = null,
        RuntimeMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(component);
        _client = client;
        _component = component;
        _host = host ?? Environment.MachineName;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _dropped = (metrics ?? new RuntimeMetrics()).EventsDropped;
        _correlator = new EventCorrelator(_time);
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
        var source = string.Join('\u0001', _component, _host, reference.ApiVersion, reference.Kind, obj.Key.Namespace ?? "default",
            reference.Name, reference.Uid);
        var clock = _time.GetUtcNow();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string key;
        string text;
        Task previous;
        lock (_gate)
        {
            (key, text) = _correlator.Aggregate(source, type, reason, message, clock);
            previous = _inFlight.GetValueOrDefault(key) ?? Task.CompletedTask;
            _inFlight[key] = done.Task;
        }

        try
        {
            await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
            await WriteAsync(key, source, reference, type, reason, text, clock, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _dropped.Inc();
            LogFailed(reason, obj.Key, e);
        }
        finally
        {
            // The next write of this Event starts when this one and every one before it have finished (even when this
            // caller stopped waiting early); the last one out leaves no entry behind.
            _ = previous.ContinueWith(_ =>
            {
                done.TrySetResult();
                lock (_gate)
                {
                    if (_inFlight.TryGetValue(key, out var latest) && latest == done.Task)
                    {
                        _inFlight.Remove(key);
                    }
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task WriteAsync(string key, string source, V1ObjectReference reference, string type, string reason, string text,
        DateTimeOffset clock, CancellationToken ct)
    {
        var now = clock.UtcDateTime.AddTicks(-(clock.UtcDateTime.Ticks % TimeSpan.TicksPerSecond)); // metav1.Time: seconds
        (string? Existing, int Count)? write;
        lock (_gate)
        {
            write = _correlator.Observe(key, source, reason, now);
        }

        if (write is not { } w)
        {
            return; // spam filter
        }

        var ns = reference.NamespaceProperty ?? "default";
        if (w.Existing is { } existing && await TryPatchAsync(existing, ns, w.Count, now, text, ct).ConfigureAwait(false))
        {
            return;
        }

        // client-go: "<name>.<unix nanos in hex>"; the sequence keeps names unique within one clock tick.
        var nanos = (clock.ToUnixTimeMilliseconds() * 1_000_000) + (Interlocked.Increment(ref _sequence) % 1_000_000);
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
        }, ns, cancellationToken: ct).ConfigureAwait(false);
        lock (_gate)
        {
            _correlator.Created(key, name, now);
        }
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Key}; dropped")]
    private partial void LogFailed(string reason, ObjectKey key, Exception error);
}
