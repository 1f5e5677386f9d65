namespace CryptoIndex.Operator.Runtime.Leader;

/// <summary>Lease-based leader election; defaults are controller-runtime's (15 s / 10 s / 2 s).</summary>
public sealed record LeaderElectionOptions
{
    /// <summary>client-go's and KubernetesClient's <c>JitterFactor</c>: retries wait up to 1.2 × the retry period.</summary>
    private const double JitterFactor = 1.2;

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

    /// <summary>
    /// client-go's checks (<c>NewLeaderElector</c>). The lease must outlast the renew deadline, or a standby may take an
    /// expired lease while the leader, still retrying its renewal, believes it leads; and the deadline must leave room
    /// for a jittered retry (1.2 × retry period), or one slow renewal ends the term.
    /// </summary>
    /// <exception cref="ArgumentException">The timings cannot work; the message names the settings and their values.</exception>
    public void Validate()
    {
        if (LeaseDuration <= TimeSpan.Zero || RenewDeadline <= TimeSpan.Zero || RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException(
                $"Leader election: LeaseDuration, RenewDeadline and RetryPeriod must be positive (are {LeaseDuration}, {RenewDeadline}, {RetryPeriod})");
        }

        if (LeaseDuration <= RenewDeadline)
        {
            throw new ArgumentException($"Leader election: LeaseDuration ({LeaseDuration}) must be greater than RenewDeadline ({RenewDeadline})");
        }

        if (RenewDeadline <= RetryPeriod * JitterFactor)
        {
            throw new ArgumentException(
                $"Leader election: RenewDeadline ({RenewDeadline}) must be greater than {JitterFactor.ToString(System.Globalization.CultureInfo.InvariantCulture)} × RetryPeriod ({RetryPeriod})");
        }
    }

    /// <summary>Give the lease up on a graceful stop so a standby takes over at once (controller-runtime's ReleaseOnCancel).</summary>
    public bool ReleaseOnCancel { get; init; } = true;
}
