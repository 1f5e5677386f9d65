namespace CryptoIndex.Operator.Runtime;

/// <summary>What a <see cref="TimeProvider"/>'s timers accept.</summary>
public static class TimerLimits
{
    /// <summary>The longest timer a <see cref="TimeProvider"/> takes (about 49.7 days; System.Threading.Timer refuses more).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);
}
