using System.Net;
using CryptoIndex.Operator.Runtime.Cache;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Queue;
using CryptoIndex.Operator.Runtime.Status;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CryptoIndex.Operator.Runtime.Controllers;

/// <summary>
/// One controller: reflector → cache → predicate → work queue (keys only) → workers → <see cref="IReconciler"/>.
/// The cache runs on every replica (<see cref="RunCacheAsync"/>); workers run only while
/// <see cref="RunWorkersAsync"/> runs, which the manager ties to leadership.
/// </summary>
public sealed partial class Controller
{
    private readonly IReconciler _reconciler;
    private readonly ControllerOptions _options;
    private readonly RuntimeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly TimeProvider _deadlineClock;
    private readonly ILogger _logger;
    private readonly Func<CacheEvent, bool> _predicate;

    public Controller(string name, IKubernetes client, ResourceType type, IReconciler reconciler,
        ControllerOptions? options = null, RuntimeMetrics? metrics = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(reconciler);
        Name = name;
        _reconciler = reconciler;
        _options = options ?? new ControllerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConcurrentReconciles, 1);
        _metrics = metrics ?? new RuntimeMetrics();
        _time = time ?? TimeProvider.System;
        _deadlineClock = _options.Reflector.Time ?? _time;
        if (_options.ReconcileTimeout is { } limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero, nameof(options));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, TimerLimits.MaxDelay, nameof(options));
        }

        loggers ??= NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("CryptoIndex.Operator.Runtime.Controller." + name);
        _predicate = _options.Predicate ?? Predicates.Default();
        Reflector = new Reflector(client, type, _options.Reflector.Time ?? _time, _options.Reflector, loggers.CreateLogger<Reflector>());
        Queue = new WorkQueue<ObjectKey>(_time, _options.RateLimiter ?? RateLimiters.DefaultController<ObjectKey>(_time),
            new WorkQueueMetrics(_metrics, name));
        Reflector.AddHandler(OnCacheEvent);
        Reflector.Restarting += end => _metrics.WatchRestarts.WithLabels(name, RuntimeMetrics.WatchRestartReason(end)).Inc();
        // controller-runtime initialises every series so dashboards and alerts see zeros, not gaps.
        _metrics.MaxConcurrentReconciles.WithLabels(name).Set(_options.MaxConcurrentReconciles);
        _metrics.ActiveWorkers.WithLabels(name).Set(0);
        foreach (var result in new[] { "success", "error", "requeue", "requeue_after" })
        {
            _metrics.ReconcileTotal.WithLabels(name, result).IncTo(0);
        }

        _metrics.ReconcileErrors.WithLabels(name).IncTo(0);
        _metrics.ReconcileTimeouts.WithLabels(name).IncTo(0);
        _metrics.TerminalReconcileErrors.WithLabels(name).IncTo(0);
        _metrics.ReconcilePanics.WithLabels(name).IncTo(0);
        _metrics.QueueRetries.WithLabels(name, name).IncTo(0);
        foreach (var reason in RuntimeMetrics.WatchRestartReasons)
        {
            _metrics.WatchRestarts.WithLabels(name, reason).IncTo(0);
        }

        _metrics.QueueDepth.WithLabels(name, name, "").Set(0);
        _metrics.Registry.AddBeforeCollectCallback(Queue.UpdateUnfinishedWork);
    }

    public string Name { get; }

    public Reflector Reflector { get; }

    public ObjectCache Cache => Reflector.Cache;

    public WorkQueue<ObjectKey> Queue { get; }

    /// <summary>Keeps the cache current until cancelled (on every replica).</summary>
    public Task RunCacheAsync(CancellationToken cancellationToken) => Reflector.RunAsync(cancellationToken);

    /// <summary>
    /// Runs the workers once the cache has synced. <paramref name="stopping"/> stops taking new keys (in-flight
    /// reconciles finish); <paramref name="abort"/> cancels in-flight reconciles (leadership lost, or the graceful
    /// shutdown timeout expired). Returns when every worker has exited.
    /// </summary>
    public async Task RunWorkersAsync(CancellationToken stopping, CancellationToken abort)
    {
        await Cache.WaitForSyncAsync(stopping).ConfigureAwait(false);

        // Events seen while standing by are in the queue already; enqueue everything anyway, as a fresh leader does.
        foreach (var obj in Cache.List())
        {
            Queue.Add(obj.Key);
        }

        var workers = Enumerable.Range(0, _options.MaxConcurrentReconciles)
            .Select(_ => Task.Run(() => WorkerAsync(stopping, abort), CancellationToken.None));
        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private void OnCacheEvent(CacheEvent e)
    {
        if (_predicate(e))
        {
            Queue.Add(e.New.Key);
        }
    }

    private async Task WorkerAsync(CancellationToken stopping, CancellationToken abort)
    {
        while (!stopping.IsCancellationRequested && !abort.IsCancellationRequested)
        {
            ObjectKey key;
            try
            {
                (key, var ok) = await Queue.GetAsync(stopping).ConfigureAwait(false);
                if (!ok)
                {
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                await ReconcileHandlerAsync(key, abort).ConfigureAwait(false);
            }
            finally
            {
                Queue.Done(key);
            }
        }
    }

    private async Task ReconcileHandlerAsync(ObjectKey key, CancellationToken abort)
    {
        var active = _metrics.ActiveWorkers.WithLabels(Name);
        active.Inc();
        var started = _time.GetTimestamp();
        string result;
        using var deadline = new CancellationTokenSource(_options.ReconcileTimeout ?? Timeout.InfiniteTimeSpan, _deadlineClock);
        using var token = CancellationTokenSource.CreateLinkedTokenSource(abort, deadline.Token);
        try
        {
            var r = await _reconciler.ReconcileAsync(new ReconcileRequest(key, Cache), token.Token).ConfigureAwait(false);
            if (r.After is { } after && after > TimeSpan.Zero)
            {
                Queue.Forget(key);
                Queue.AddAfter(key, after);
                result = "requeue_after";
            }
            else if (r.Requeue)
            {
                Queue.AddRateLimited(key);
                result = "requeue";
            }
            else
            {
                Queue.Forget(key);
                result = "success";
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Leadership lost or shutdown: not a failure; keep the key for whoever runs the workers next.
            Queue.Add(key);
            return;
        }
        catch (Exception e) when (deadline.IsCancellationRequested)
        {
            // Whatever the reconciler made of its cancelled token (a TaskCanceledException, a wrapped one), it ran out
            // of time: an error, retried with backoff (controller-runtime's ReconciliationTimeout).
            Queue.AddRateLimited(key);
            _metrics.ReconcileErrors.WithLabels(Name).Inc();
            _metrics.ReconcileTimeouts.WithLabels(Name).Inc();
            LogTimeout(key, _options.ReconcileTimeout!.Value, e);
            result = "error";
        }
        catch (Exception e) when (IsConflict(e))
        {
            // Someone wrote the object meanwhile: the cache will bring the new version; retry quietly.
            LogConflict(key);
            Queue.AddRateLimited(key);
            result = "requeue";
        }
        catch (TerminalException e)
        {
            Queue.Forget(key);
            _metrics.ReconcileErrors.WithLabels(Name).Inc();
            _metrics.TerminalReconcileErrors.WithLabels(Name).Inc();
            LogTerminal(key, e);
            result = "error";
        }
#pragma warning disable CA1031 // A reconciler failure of any kind is retried with backoff, never fatal to the worker.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Queue.AddRateLimited(key);
            _metrics.ReconcileErrors.WithLabels(Name).Inc();
            LogError(key, e);
            result = "error";
        }
        finally
        {
            active.Dec();
        }

        _metrics.ReconcileTotal.WithLabels(Name, result).Inc();
        _metrics.ReconcileTime.WithLabels(Name).Observe(_time.GetElapsedTime(started).TotalSeconds);
    }

    internal static bool IsConflict(Exception e) => e switch
    {
        ConflictException => true,
        HttpOperationException h => h.Response?.StatusCode == HttpStatusCode.Conflict,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Conflict while reconciling {Key}; requeued")]
    private partial void LogConflict(ObjectKey key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Terminal error reconciling {Key}; not retrying")]
    private partial void LogTerminal(ObjectKey key, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconcile of {Key} timed out after {Timeout}; retrying with backoff")]
    private partial void LogTimeout(ObjectKey key, TimeSpan timeout, Exception error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciler error for {Key}; retrying with backoff")]
    private partial void LogError(ObjectKey key, Exception error);
}
