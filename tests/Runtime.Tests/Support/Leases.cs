using CryptoIndex.Operator.Runtime.Leader;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

internal static class Leases
{
    /// <summary>Short leases keep the tests fast; KubernetesClient's LeaderElector runs on the wall clock.</summary>
    public static LeaderElectionOptions Fast { get; } = new()
    {
        LeaseName = "widgets-leader",
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1.5),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
    };
}
