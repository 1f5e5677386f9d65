namespace CryptoIndex.Operator.Runtime.Leader;

/// <summary>Lease-based leader election; defaults are controller-runtime's (15 s / 10 s / 2 s).</summary>
public sealed record LeaderElectionOptions
{
    public bool Enabled { get; init; } = true;

    /// <summary>The Lease name (also the <c>name</c> label of <c>leader_election_master_status</c>).</summary>
    public string LeaseName { get; init; } = "operator-leader";

    public string LeaseNamespace { get; init; } = "default";

    /// <summary>
    /// This replica's holder identity in the Lease; null (the default): the host name, <c>_</c> and a random UUID,
    /// drawn by each <see cref="Manager"/>, as controller-runtime does. The host name alone is not unique (two processes
    /// on one host, pods with <c>hostNetwork</c> on one node), and KubernetesClient's elector treats a lease whose
    /// holder equals its own identity as its own: both would lead. An explicit identity must be unique per process.
    /// </summary>
    public string? Identity { get; init; }

    /// <summary>A fresh default identity: <c>hostname_uuid</c> (the host name is the pod name in a cluster).</summary>
    public static string NewIdentity() => Environment.MachineName + "_" + Guid.NewGuid().ToString("D");

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Give the lease up on a graceful stop so a standby takes over at once (controller-runtime's ReleaseOnCancel).</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
