namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// The operator elects on a Lease in <c>--lease-namespace</c> (default: its own namespace). A Role grants only in its
/// own namespace, so the leader-election Role and RoleBinding must be where the Lease is: elsewhere a real API server
/// answers every Lease request with 403, no replica ever leads, and no fund is reconciled. (LocalKube does not
/// enforce RBAC, so only the rendering shows it.)
/// </summary>
public sealed class ChartLeaseNamespaceTests
{
    [Theory]
    [InlineData("extraArgs={--lease-namespace=ops}", "ops")]
    [InlineData("extraArgs={--lease-namespace:ops}", "ops")]
    [InlineData("extraArgs={--lease-namespace,ops}", "ops")]
    [InlineData("extraArgs={--lease-name=funds-eu,--lease-namespace=ops}", "ops")]
    [InlineData("extraArgs={--lease-name=funds-eu}", Support.Chart.Namespace)]
    [InlineData("leaderElection.leaseName=funds-eu", Support.Chart.Namespace)]
    public async Task The_leader_election_Role_is_in_the_namespace_of_the_Lease(string set, string leaseNamespace)
    {
        var m = await Support.Chart.TemplateAsync(string.Empty, set);

        var args = m.One("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!).ToList();
        Assert.Equal(leaseNamespace, ElectedNamespace(args));
        var role = m.One("Role", "cryptoindex-operator-leader-election");
        var binding = m.One("RoleBinding", "cryptoindex-operator-leader-election");
        Assert.Equal(leaseNamespace, (string?)role["metadata"]!["namespace"]);
        Assert.Equal(leaseNamespace, (string?)binding["metadata"]!["namespace"]);
        Assert.Equal(("Role", "cryptoindex-operator-leader-election"), ((string?)binding["roleRef"]!["kind"], (string?)binding["roleRef"]!["name"]));
        Assert.Equal(Support.Chart.Namespace, (string?)binding["subjects"]![0]!["namespace"]); // the operator's ServiceAccount stays home
    }

    /// <summary>The namespace the operator elects in, read from its arguments as its command line does.</summary>
    private static string ElectedNamespace(List<string> args)
    {
        var namespaceName = Support.Chart.Namespace; // POD_NAMESPACE
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith("--lease-namespace=", StringComparison.Ordinal) || args[i].StartsWith("--lease-namespace:", StringComparison.Ordinal))
            {
                namespaceName = args[i]["--lease-namespace=".Length..];
            }
            else if (args[i] == "--lease-namespace" && i + 1 < args.Count)
            {
                namespaceName = args[i + 1];
            }
        }

        return namespaceName;
    }
}
