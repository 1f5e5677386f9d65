using System.Net;
using System.Text.Json.Nodes;
using CryptoIndex.Operator.Runtime.Controllers;
using CryptoIndex.Operator.Runtime.Events;
using CryptoIndex.Operator.Runtime.Hosting;
using CryptoIndex.Operator.Runtime.Status;
using CryptoIndex.Operator.Runtime.Tests.Support;
using k8s;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class HostTests
{
    /// <summary>A reconciler built by DI: mirrors spec.size into status and records an event.</summary>
    internal sealed class SizeReconciler(IKubernetes client, EventRecorder events) : IReconciler
    {
        private readonly StatusWriter _status = new(client, Widgets.Type, "host-tests");

        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken cancellationToken)
        {
            if (request.Current is not { } obj)
            {
                return ReconcileResult.Done;
            }

            var written = await _status.WriteAsync(obj, new JsonObject { ["size"] = Widgets.Size(obj), ["observedGeneration"] = obj.Generation }, cancellationToken);
            if (written.Written)
            {
                await events.NormalAsync(obj, "Synced", "size is " + Widgets.Size(obj), cancellationToken);
            }

            return ReconcileResult.Done;
        }
    }

    [Fact]
    public async Task Host_serves_probes_and_metrics_from_a_kubeconfig_and_stops_gracefully()
    {
        await using var cluster = await Widgets.StartClusterAsync();
        var kubeconfig = cluster.WriteKubeconfig(Path.Combine(Path.GetTempPath(), "runtime-tests-" + Guid.NewGuid().ToString("N") + ".yaml"));
        try
        {
            var builder = OperatorHost.CreateBuilder(new OperatorHostOptions
            {
                Port = 0,
                Component = "widget-operator",
                Kubeconfig = kubeconfig,
                Registry = Prometheus.Metrics.NewCustomRegistry(),
                Manager = new ManagerOptions
                {
                    GracefulShutdownTimeout = TimeSpan.FromSeconds(5),
                    LeaderElection = Leases.Fast with { LeaseName = "widget-operator", Identity = "pod-1" },
                },
            });
            builder.AddController<SizeReconciler>("widgets", Widgets.Type);
            await using var app = builder.Build();
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Assert.StartsWith("http://0.0.0.0:", address, StringComparison.Ordinal); // in a pod, kubelet and Prometheus come from outside
            using var http = new HttpClient { BaseAddress = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)) };

            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode);
            await ReflectorTests.WaitUntil(async () =>
            {
                using var readyz = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                return readyz.StatusCode == HttpStatusCode.OK;
            });

            var client = cluster.CreateClient();
            await Widgets.CreateAsync(client, "a", 7);
            await ReflectorTests.WaitUntil(() => cluster.Requests.Count("create", "events") == 1);

            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
            Assert.Contains("leader_election_master_status{name=\"widget-operator\"} 1", metrics, StringComparison.Ordinal);
            Assert.Contains("controller_runtime_reconcile_total{controller=\"widgets\",result=\"success\"}", metrics, StringComparison.Ordinal);
            Assert.Contains("rest_client_requests_total{code=\"200\",method=\"GET\"", metrics, StringComparison.Ordinal);
            Assert.Contains("rest_client_requests_total{code=\"201\",method=\"POST\"", metrics, StringComparison.Ordinal); // lease and event creates

            await app.StopAsync();
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("widget-operator", "default");
            Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity), "the lease is released on a graceful stop");
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }
}
