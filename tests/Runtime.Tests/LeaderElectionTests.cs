using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Leader;
using CryptoIndex.Operator.Runtime.Metrics;
using CryptoIndex.Operator.Runtime.Tests.Support;
using k8s;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Runtime.Tests;

/// <summary>What an operator sees of the election: a lost lease and elector errors are logged, a shutdown is not a
/// loss, and lease timings the elector cannot honour are refused at startup.</summary>
public sealed class LeaderElectionTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    private static readonly LeaderElectionOptions FastLease = Leases.Fast;

    [Fact]
    public async Task Losing_the_lease_and_elector_errors_are_warnings_and_a_graceful_stop_is_neither()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var leases = new BreakableLeases();
        var client = cluster.CreateClient(leases);
        var logs = new LogRecorder();
        var metrics = new RuntimeMetrics();
        using var manager = new Manager(client, new ManagerOptions { LeaderElection = FastLease }, metrics, loggers: logs);
        manager.Add(new Controller("widgets", client, Widgets.Type, new RecordingReconciler((_, _, _) => Task.FromResult(ReconcileResult.Done)), metrics: metrics));
        using var stop = new CancellationTokenSource();
        var run = manager.RunAsync(stop.Token);
        await ReflectorTests.WaitUntil(() => manager.IsLeader);
        // Electing on a fresh cluster (the Lease is created) is no warning.
        Assert.Empty(logs.AtLeast(LogLevel.Warning));

        // The API server becomes unreachable for the Lease: renewals fail until the renew deadline passes.
        leases.Broken = true;
        await ReflectorTests.WaitUntil(() => !manager.IsLeader);
        var warnings = logs.AtLeast(LogLevel.Warning).ToList();
        var lost = warnings.FindIndex(w => w.Message.Contains("Lost the lease", StringComparison.Ordinal) && w.Message.Contains("widgets-leader", StringComparison.Ordinal));
        Assert.True(lost >= 0, "the loss is not logged");
        // The renewal's error, which the elector only reports through OnError, is logged before the loss it causes.
        Assert.Contains(warnings.Take(lost), w => w.Error is HttpRequestException);

        // Back to normal: leading again, then a graceful stop, which ends the term without any warning.
        leases.Broken = false;
        await ReflectorTests.WaitUntil(() => manager.IsLeader);
        var before = logs.AtLeast(LogLevel.Warning).Count();
        await stop.CancelAsync();
        await run.WaitAsync(Guard);
        Assert.False(manager.IsLeader);
        Assert.Equal(before, logs.AtLeast(LogLevel.Warning).Count());
    }

    [Theory]
    [InlineData(10, 10, 2, "LeaseDuration (00:00:10) must be greater than RenewDeadline (00:00:10)")]
    [InlineData(15, 10, 9, "RenewDeadline (00:00:10) must be greater than 1.2 × RetryPeriod (00:00:09)")]
    [InlineData(15, 2.4, 2, "RenewDeadline (00:00:02.4000000) must be greater than 1.2 × RetryPeriod (00:00:02)")]
    [InlineData(0, 10, 2, "LeaseDuration, RenewDeadline and RetryPeriod must be positive")]
    [InlineData(15, 10, 0, "LeaseDuration, RenewDeadline and RetryPeriod must be positive")]
    public void Lease_timings_the_elector_cannot_honour_are_refused_at_startup(double lease, double renew, double retry, string error)
    {
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }); // never called
        var options = new ManagerOptions
        {
            LeaderElection = FastLease with
            {
                LeaseDuration = TimeSpan.FromSeconds(lease), RenewDeadline = TimeSpan.FromSeconds(renew), RetryPeriod = TimeSpan.FromSeconds(retry),
            },
        };

        var e = Assert.Throws<ArgumentException>(() => new Manager(client, options));
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
        // Without leader election the timings are not used, so they are not checked.
        using var single = new Manager(client, options with { LeaderElection = options.LeaderElection with { Enabled = false } });
        // client-go's own defaults pass.
        using var defaults = new Manager(client, new ManagerOptions());
    }

    /// <summary>Fails every Lease request as an unreachable API server does (no HTTP answer at all) while broken.</summary>
    private sealed class BreakableLeases : DelegatingHandler
    {
        public volatile bool Broken;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Broken && request.RequestUri!.AbsolutePath.Contains("/leases", StringComparison.Ordinal)
                ? throw new HttpRequestException("connection refused (test)")
                : base.SendAsync(request, cancellationToken);
    }
}
