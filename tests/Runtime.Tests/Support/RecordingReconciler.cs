using System.Collections.Concurrent;
using System.Threading.Channels;
using CryptoIndex.Operator.Runtime.Controllers;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

/// <summary>A reconciler that delegates to a function and records every call, and any overlap on one key.</summary>
internal sealed class RecordingReconciler(Func<ReconcileRequest, int, CancellationToken, Task<ReconcileResult>> body) : IReconciler
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<ObjectKey, int> _active = new();
    private readonly ConcurrentDictionary<ObjectKey, int> _counts = new();
    private readonly Channel<ObjectKey> _calls = Channel.CreateUnbounded<ObjectKey>();
    private int _overlaps;
    private int _total;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public int Total => Volatile.Read(ref _total);

    public int Count(string name) => _counts.GetValueOrDefault(new ObjectKey("default", name));

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken)
    {
        if (_active.AddOrUpdate(request.Key, 1, (_, n) => n + 1) > 1)
        {
            Interlocked.Increment(ref _overlaps);
        }

        var n = _counts.AddOrUpdate(request.Key, 1, (_, c) => c + 1);
        Interlocked.Increment(ref _total);
        try
        {
            return await body(request, n, cancellationToken);
        }
        finally
        {
            _active.AddOrUpdate(request.Key, 0, (_, c) => c - 1);
            _calls.Writer.TryWrite(request.Key);
        }
    }

    /// <summary>Waits until the reconciler has finished a call for <paramref name="name"/>.</summary>
    public async Task NextAsync(string name)
    {
        using var cts = new CancellationTokenSource(Guard);
        while (await _calls.Reader.ReadAsync(cts.Token) != new ObjectKey("default", name))
        {
        }
    }

    /// <summary>Discards the finished calls recorded so far.</summary>
    public void DrainCalls()
    {
        while (_calls.Reader.TryRead(out _))
        {
        }
    }
}
