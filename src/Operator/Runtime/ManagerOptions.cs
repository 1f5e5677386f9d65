using CryptoIndex.Operator.Runtime.Leader;

namespace CryptoIndex.Operator.Runtime;

/// <summary>Manager settings.</summary>
public sealed record ManagerOptions
{
    public LeaderElectionOptions LeaderElection { get; init; } = new();

    /// <summary>How long in-flight reconciles may take to finish on shutdown before they are cancelled (controller-runtime: 30 s).</summary>
    public TimeSpan GracefulShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
