using CryptoIndex.Operator.Runtime.Leader;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

internal static class Leases
{
    /// <summary>
    /// Short leases keep the tests fast; KubernetesClient's LeaderElector runs on the wall clock, so the leader must
    /// survive a stall of a loaded machine: it keeps the lease unless it cannot renew it for 4 s.
    /// </summary>
    public static LeaderElectionOptions Fast { get; } = new()
    {
        LeaseName = "widgets-leader",
        LeaseDuration = TimeSpan.FromSeconds(5),
        RenewDeadline = TimeSpan.FromSeconds(4),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
    };
}
