namespace CryptoIndex.Operator.Runtime.Queue;

/// <summary>
/// client-go's rate-limiting, delaying work queue, async and on a <see cref="TimeProvider"/>.
/// <list type="bullet">
/// <item>A key is stored once (<c>dirty</c> set), however often it is added before a worker takes it.</item>
/// <item>A key being processed is never handed to a second worker: an add while it is processing only marks it
/// dirty, and <see cref="Done"/> puts it back in the queue (<c>processing</c> set).</item>
/// <item><see cref="AddAfter"/> keeps the earliest pending time for a key; <see cref="AddRateLimited"/> asks the rate
/// limiter for the delay; <see cref="Forget"/> resets the key's backoff.</item>
/// </list>
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "client-go's name, kept for recognisability.")]
public sealed class WorkQueue<T> : IDisposable
    where T : notnull
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly IRateLimiter<T> _limiter;
    private readonly IWorkQueueMetrics _metrics;
    private readonly LinkedList<T> _queue = new();
    private readonly Dictionary<T, long> _dirty = [];          // key -> timestamp when it became dirty
    private readonly Dictionary<T, long> _processing = [];     // key -> timestamp when processing started
    private readonly Dictionary<T, (DateTimeOffset ReadyAt, ITimer Timer)> _waiting = [];
    private readonly LinkedList<TaskCompletionSource<T>> _getters = new();
    private readonly List<TaskCompletionSource> _drained = [];
    private bool _shuttingDown;

    public WorkQueue(TimeProvider time, IRateLimiter<T>? limiter = null, IWorkQueueMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _limiter = limiter ?? RateLimiters.DefaultController<T>(time);
        _metrics = metrics ?? NoWorkQueueMetrics.Instance;
    }

    /// <summary>Keys ready to be handed out (not counting delayed or processing ones).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Keys waiting for an <see cref="AddAfter"/> delay.</summary>
    public int DelayedCount
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Marks <paramref name="item"/> as needing processing.</summary>
    public void Add(T item)
    {
        lock (_gate)
        {
            AddLocked(item);
        }
    }

    /// <summary>
    /// Adds <paramref name="item"/> after <paramref name="delay"/>; an earlier pending time wins. A delay longer than
    /// <see cref="TimerLimits.MaxDelay"/> comes back then instead: reconciles are level-based, so an early one only
    /// finds nothing to do.
    /// </summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        delay = delay > TimerLimits.MaxDelay ? TimerLimits.MaxDelay : delay;
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }

            if (delay <= TimeSpan.Zero)
            {
                AddLocked(item);
                return;
            }

            var readyAt = _time.GetUtcNow() + delay;
            if (_waiting.TryGetValue(item, out var existing))
            {
                if (existing.ReadyAt <= readyAt)
                {
                    return;
                }

                existing.Timer.Dispose();
            }

            var timer = _time.CreateTimer(static state => ((WorkQueue<T>)((object[])state!)[0]).Fire((T)((object[])state!)[1]),
                new object[] { this, item }, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _waiting[item] = (readyAt, timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Adds <paramref name="item"/> after the rate limiter's delay (counts as one retry).</summary>
    public void AddRateLimited(T item)
    {
        var delay = _limiter.When(item);
        _metrics.Retried();
        AddAfter(item, delay);
    }

    /// <summary>Resets the backoff of <paramref name="item"/>.</summary>
    public void Forget(T item) => _limiter.Forget(item);

    public int NumRequeues(T item) => _limiter.NumRequeues(item);

    /// <summary>
    /// Waits for the next key and marks it as processing; the caller must call <see cref="Done"/>.
    /// Returns <c>(default, false)</c> once the queue is shut down.
    /// </summary>
    public async ValueTask<(T Item, bool Ok)> GetAsync(CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<T> getter;
        LinkedListNode<TaskCompletionSource<T>> node;
        lock (_gate)
        {
            if (_queue.Count > 0)
            {
                return (TakeLocked(), true);
            }

            if (_shuttingDown)
            {
                return (default!, false);
            }

            getter = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _getters.AddLast(getter);
        }

        using (cancellationToken.Register(() =>
               {
                   lock (_gate)
                   {
                       if (node.List is not null)
                       {
                           _getters.Remove(node);
                       }
                   }

                   getter.TrySetCanceled(cancellationToken);
               }))
        {
            try
            {
                return (await getter.Task.ConfigureAwait(false), true);
            }
            catch (OperationCanceledException) when (getter.Task.IsCanceled && !cancellationToken.IsCancellationRequested)
            {
                return (default!, false); // cancelled by shutdown
            }
        }
    }

    /// <summary>Ends processing of <paramref name="item"/>; if it was added meanwhile it goes back into the queue.</summary>
    public void Done(T item)
    {
        lock (_gate)
        {
            if (!_processing.Remove(item, out var started))
            {
                return;
            }

            _metrics.WorkDuration(_time.GetElapsedTime(started));
            if (_dirty.ContainsKey(item) && !_shuttingDown)
            {
                EnqueueLocked(item);
            }

            if (_processing.Count == 0)
            {
                foreach (var d in _drained)
                {
                    d.TrySetResult();
                }

                _drained.Clear();
            }
        }
    }

    /// <summary>True while a worker holds <paramref name="item"/>.</summary>
    public bool IsProcessing(T item)
    {
        lock (_gate)
        {
            return _processing.ContainsKey(item);
        }
    }

    /// <summary>Reports unfinished work to the metrics (called before a scrape).</summary>
    public void UpdateUnfinishedWork()
    {
        lock (_gate)
        {
            var total = TimeSpan.Zero;
            var longest = TimeSpan.Zero;
            foreach (var started in _processing.Values)
            {
                var e = _time.GetElapsedTime(started);
                total += e;
                longest = e > longest ? e : longest;
            }

            _metrics.Unfinished(total, longest);
        }
    }

    /// <summary>Stops handing out keys; waiting getters get <c>Ok = false</c>; pending delays are dropped.</summary>
    public void ShutDown()
    {
        lock (_gate)
        {
            _shuttingDown = true;
            foreach (var (_, w) in _waiting)
            {
                w.Timer.Dispose();
            }

            _waiting.Clear();
            foreach (var g in _getters)
            {
                g.TrySetCanceled();
            }

            _getters.Clear();
        }
    }

    /// <summary>Completes when no key is being processed.</summary>
    public Task WaitForProcessingToDrainAsync()
    {
        lock (_gate)
        {
            if (_processing.Count == 0)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drained.Add(tcs);
            return tcs.Task;
        }
    }

    public void Dispose() => ShutDown();

    private void Fire(T item)
    {
        lock (_gate)
        {
            if (_waiting.Remove(item, out var w))
            {
                w.Timer.Dispose();
                AddLocked(item);
            }
        }
    }

    private void AddLocked(T item)
    {
        if (_shuttingDown || _dirty.ContainsKey(item))
        {
            return;
        }

        _metrics.Added();
        _dirty[item] = _time.GetTimestamp();
        if (_processing.ContainsKey(item))
        {
            return; // Done() requeues it: never two workers on one key.
        }

        EnqueueLocked(item);
    }

    private void EnqueueLocked(T item)
    {
        // Hand the key straight to a waiting worker if there is one.
        while (_getters.First is { } first)
        {
            _getters.RemoveFirst();
            if (first.Value.TrySetResult(item))
            {
                // Continuations run asynchronously, so marking after the hand-off is still atomic under the lock.
                MarkProcessingLocked(item);
                return;
            }
        }

        _queue.AddLast(item);
        _metrics.Depth(_queue.Count);
    }

    private T TakeLocked()
    {
        var item = _queue.First!.Value;
        _queue.RemoveFirst();
        _metrics.Depth(_queue.Count);
        MarkProcessingLocked(item);
        return item;
    }

    private void MarkProcessingLocked(T item)
    {
        if (_dirty.Remove(item, out var since))
        {
            _metrics.QueueLatency(_time.GetElapsedTime(since));
        }

        _processing[item] = _time.GetTimestamp();
    }
}
