using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Leader;
using CryptoIndex.Operator.Runtime.Metrics;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CryptoIndex.Operator.Runtime;

/// <summary>
/// controller-runtime's manager: runs every controller's cache on this replica, and their workers only while this
/// replica holds the Lease. Losing the lease cancels in-flight reconciles at once (no reconcile after leadership is
/// lost); a graceful stop lets them finish within <see cref="ManagerOptions.GracefulShutdownTimeout"/>, then
/// releases the lease so a standby takes over without waiting for it to expire.
/// </summary>
public sealed partial class Manager : IDisposable
{
    private readonly IKubernetes _client;
    private readonly ManagerOptions _options;
    private readonly RuntimeMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<Controller> _controllers = [];
    private readonly Lock _gate = new();
    private Task _workers = Task.CompletedTask;
    private CancellationTokenSource? _termStop;
    private CancellationTokenSource? _termAbort;
    private volatile bool _running;
    private volatile bool _leader;
    private volatile bool _electing;
    private volatile bool _stopping;
    private volatile string? _leaderSeen;
    private List<Task> _caches = [];

    public Manager(IKubernetes client, ManagerOptions? options = null, RuntimeMetrics? metrics = null, TimeProvider? time = null,
        ILoggerFactory? loggers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new ManagerOptions();
        _metrics = metrics ?? new RuntimeMetrics();
        _time = time ?? TimeProvider.System;
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger<Manager>();
        Identity = _options.LeaderElection.Identity ?? LeaderElectionOptions.NewIdentity(); // per manager, not per options object
        if (_options.LeaderElection.Enabled)
        {
            _options.LeaderElection.Validate();
            _metrics.LeaderStatus.WithLabels(_options.LeaderElection.LeaseName).Set(0);
        }
    }

    public IReadOnlyList<Controller> Controllers => _controllers;

    /// <summary>This replica's holder identity in the Lease.</summary>
    public string Identity { get; }

    /// <summary>The Lease holder this replica's election last observed (its own identity while it leads), or null.</summary>
    public string? Leader => _leaderSeen;

    /// <summary>Raised when shutdown starts waiting for in-flight reconciles (diagnostics and tests).</summary>
    internal event Action? GracePeriodStarted;

    public RuntimeMetrics Metrics => _metrics;

    /// <summary>True while this replica runs workers (always, when leader election is off).</summary>
    public bool IsLeader => _leader;

    /// <summary>The run loop is alive and no cache loop has died.</summary>
    public bool IsAlive => _running && _caches.TrueForAll(t => !t.IsCompleted);

    /// <summary>Every cache has synced, and this replica leads or is standing by in the election.</summary>
    public bool IsReady => IsAlive && _controllers.TrueForAll(c => c.Cache.HasSynced) &&
                           (!_options.LeaderElection.Enabled || _leader || _electing);

    public Manager Add(Controller controller)
    {
        ArgumentNullException.ThrowIfNull(controller);
        _controllers.Add(controller);
        return this;
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then shuts down gracefully.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var cacheCts = new CancellationTokenSource();
        using var electionCts = new CancellationTokenSource();
        _caches = [.. _controllers.Select(c => c.RunCacheAsync(cacheCts.Token))];
        _running = true;
        try
        {
            var election = _options.LeaderElection.Enabled
                ? RunElectionAsync(electionCts.Token)
                : Task.Run(() => StartTerm(), CancellationToken.None);
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);

            await StopWorkersGracefullyAsync().ConfigureAwait(false);
            await electionCts.CancelAsync().ConfigureAwait(false);
            await election.ConfigureAwait(false);
        }
        finally
        {
            _running = false;
            await cacheCts.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_caches).ConfigureAwait(false);
            foreach (var controller in _controllers)
            {
                controller.Queue.ShutDown(); // drops pending AddAfter timers
            }
        }
    }

    private async Task RunElectionAsync(CancellationToken ct)
    {
        var o = _options.LeaderElection;
        var leaseLock = new LeaseLock(_client, o.LeaseNamespace, o.LeaseName, Identity);
        var config = new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = o.LeaseDuration,
            RenewDeadline = o.RenewDeadline,
            RetryPeriod = o.RetryPeriod,
        };
        _electing = true;
        LogElecting(o.LeaseNamespace, o.LeaseName, Identity);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                using var elector = new LeaderElector(config);
                elector.OnStartedLeading += StartTerm;
                elector.OnStoppedLeading += () => EndTerm(shutdown: ct.IsCancellationRequested);
                elector.OnError += e => OnElectorError(e, ct);
                elector.OnNewLeader += leader =>
                {
                    _leaderSeen = leader;
                    LogNewLeader(o.LeaseName, leader);
                };
                try
                {
                    await elector.RunUntilLeadershipLostAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                }
#pragma warning disable CA1031 // The election must outlive API errors; the elector retries on its own schedule.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogElectionError(e);
                    await Task.Delay(o.RetryPeriod, _time, ct).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                }

                await _workers.ConfigureAwait(false);
            }
        }
        finally
        {
            _electing = false;
            if (o.ReleaseOnCancel)
            {
                await ReleaseAsync(leaseLock).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Gives up the lease (holder cleared, 1 s duration) as client-go's release does, if we still hold it.</summary>
    private async Task ReleaseAsync(LeaseLock leaseLock)
    {
        try
        {
            var current = await leaseLock.GetAsync(CancellationToken.None).ConfigureAwait(false);
            if (!string.Equals(current.HolderIdentity, Identity, StringComparison.Ordinal))
            {
                return;
            }

            var now = _time.GetUtcNow().UtcDateTime;
            await leaseLock.UpdateAsync(new LeaderElectionRecord
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaderTransitions = current.LeaderTransitions,
            }, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Best effort: if the release fails the lease simply expires.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogElectionError(e);
        }
    }

    private void StartTerm()
    {
        lock (_gate)
        {
            // The previous term's workers have finished (the election loop awaits them before electing again).
            _termStop?.Dispose();
            _termAbort?.Dispose();
            _termStop = new CancellationTokenSource();
            _termAbort = new CancellationTokenSource();
            if (_stopping)
            {
                return; // leadership regained during shutdown: do not start workers again
            }

            _leader = true;
            if (_options.LeaderElection.Enabled)
            {
                _metrics.LeaderStatus.WithLabels(_options.LeaderElection.LeaseName).Set(1);
            }

            var stop = _termStop.Token;
            var abort = _termAbort.Token;
            _workers = Task.WhenAll(_controllers.Select(c => Task.Run(() => c.RunWorkersAsync(stop, abort), CancellationToken.None)))
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Leadership lost: stop at once, cancelling in-flight reconciles.</summary>
    /// <param name="shutdown">The term ends because the manager stops (the election was cancelled), not by a lost lease.</param>
    private void EndTerm(bool shutdown)
    {
        if (!shutdown)
        {
            var o = _options.LeaderElection;
            LogLeaseLost(o.LeaseNamespace, o.LeaseName, o.RenewDeadline);
        }

        lock (_gate)
        {
            _leader = false;
            _metrics.LeaderStatus.WithLabels(_options.LeaderElection.LeaseName).Set(0);
            _termStop?.Cancel();
            _termAbort?.Cancel();
        }

        LeadershipLost?.Invoke();
    }

    /// <summary>
    /// The elector reports a renewal that threw (a connection failure, a timeout) only here, then gives up the term, so
    /// it is logged; the cancellation of a stop is no failure.
    /// </summary>
    private void OnElectorError(Exception error, CancellationToken ct)
    {
        if (error is OperationCanceledException && ct.IsCancellationRequested)
        {
            return;
        }

        LogElectionError(error);
    }

    /// <summary>Raised when this replica stops leading (its reconcilers' state about objects is now another's).</summary>
    public event Action? LeadershipLost;

    private async Task StopWorkersGracefullyAsync()
    {
        CancellationTokenSource? abort;
        lock (_gate)
        {
            _stopping = true;
            _termStop?.Cancel();
            abort = _termAbort;
        }

        var timeout = Task.Delay(_options.GracefulShutdownTimeout, _time);
        GracePeriodStarted?.Invoke(); // after the timer exists, so a test can advance a fake clock past it
        if (await Task.WhenAny(_workers, timeout).ConfigureAwait(false) != _workers)
        {
            LogShutdownTimeout(_options.GracefulShutdownTimeout);
        }

        lock (_gate)
        {
            abort?.Cancel();
            _leader = false;
        }

        await _workers.ConfigureAwait(false);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _termStop?.Dispose();
            _termAbort?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Electing a leader on Lease {Namespace}/{Lease} as {Identity}")]
    private partial void LogElecting(string @namespace, string lease, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "Lease {Lease} is held by {Leader}")]
    private partial void LogNewLeader(string lease, string leader);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Lost the lease {Namespace}/{Lease}: it could not be renewed (renew deadline {RenewDeadline}); reconciles cancelled, standing by")]
    private partial void LogLeaseLost(string @namespace, string lease, TimeSpan renewDeadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election error")]
    private partial void LogElectionError(Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight reconciles did not finish within {Timeout}; cancelling them")]
    private partial void LogShutdownTimeout(TimeSpan timeout);
}
