using System.Threading.Channels;
using CryptoIndex.Operator.Runtime.Cache;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

/// <summary>Records a reflector's phases so a test can advance a fake clock exactly when it waits on a timer.</summary>
internal sealed class PhaseLog
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);
    private readonly Channel<(ReflectorPhase Phase, TimeSpan Delay)> _phases = Channel.CreateUnbounded<(ReflectorPhase, TimeSpan)>();

    public PhaseLog(Reflector reflector) => reflector.PhaseChanged += (p, d) => _phases.Writer.TryWrite((p, d));

    public List<(ReflectorPhase Phase, TimeSpan Delay)> Seen { get; } = [];

    /// <summary>Reads phases until <paramref name="phase"/> comes, returning its delay.</summary>
    public async Task<TimeSpan> NextAsync(ReflectorPhase phase)
    {
        using var cts = new CancellationTokenSource(Guard);
        while (true)
        {
            var e = await _phases.Reader.ReadAsync(cts.Token);
            Seen.Add(e);
            if (e.Phase == phase)
            {
                return e.Delay;
            }
        }
    }

    /// <summary>Reads the next phase, whatever it is.</summary>
    public async Task<(ReflectorPhase Phase, TimeSpan Delay)> NextAnyAsync()
    {
        using var cts = new CancellationTokenSource(Guard);
        var e = await _phases.Reader.ReadAsync(cts.Token);
        Seen.Add(e);
        return e;
    }

    /// <summary>Waits for the next backoff and lets it pass on the fake clock.</summary>
    public async Task<TimeSpan> SkipBackoffAsync(FakeTimeProvider time)
    {
        var delay = await NextAsync(ReflectorPhase.BackingOff);
        time.Advance(delay);
        return delay;
    }
}
