using System.Text.Json.Nodes;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>RBAC rules flattened to one line per (group, resource, verb[, resourceName]), for exact comparisons.</summary>
public static class Rbac
{
    public static SortedSet<string> Permissions(JsonObject role)
    {
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var rule in role["rules"]!.AsArray())
        {
            var names = rule!["resourceNames"]?.AsArray().Select(n => (string)n!).ToList() ?? [];
            foreach (var group in rule["apiGroups"]!.AsArray())
            {
                foreach (var resource in rule["resources"]!.AsArray())
                {
                    foreach (var verb in rule["verbs"]!.AsArray())
                    {
                        var line = $"{(string)group!}/{(string)resource!}:{(string)verb!}";
                        if (names.Count == 0)
                        {
                            lines.Add(line);
                        }

                        foreach (var name in names)
                        {
                            lines.Add($"{line}@{name}");
                        }
                    }
                }
            }
        }

        return lines;
    }

    /// <summary>What the operator calls (see the grep notes in docs/packaging.md): nothing more may be granted.</summary>
    public static readonly SortedSet<string> Manager = new(StringComparer.Ordinal)
    {
        "cryptoindex.io/indexfunds:get", "cryptoindex.io/indexfunds:list", "cryptoindex.io/indexfunds:watch",
        "cryptoindex.io/indexfunds:patch", // metadata.finalizers: a deleted fund waits for its orders sent (RebalanceFinalizer)
        "cryptoindex.io/indexfunds/status:patch",
        "/events:create", "/events:patch",
        "/secrets:get",
    };

    /// <summary>The chart's default: paper funds need no Secret (<c>rbac.exchangeCredentials</c> is off).</summary>
    public static readonly SortedSet<string> ManagerWithoutSecrets = new(Manager.Where(p => p != "/secrets:get"), StringComparer.Ordinal);

    public static readonly SortedSet<string> LeaderElection = new(StringComparer.Ordinal)
    {
        "coordination.k8s.io/leases:create",
        "coordination.k8s.io/leases:get@cryptoindex-operator", "coordination.k8s.io/leases:update@cryptoindex-operator",
    };
}
