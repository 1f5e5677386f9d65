using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// Where the operator may read Secrets (Binance credentials): rbac.exchangeCredentialsNamespaces keeps it to the
/// listed namespaces even when the operator reconciles every namespace, and contradictory values are refused.
/// </summary>
public sealed class ChartExchangeCredentialsTests
{
    private const string Name = "cryptoindex-operator-exchange-credentials";

    private static string? Namespace(JsonObject o) => (string?)o["metadata"]!["namespace"];

    /// <summary>Every (Cluster)Role that grants something on Secrets, as "Kind namespace/name".</summary>
    private static List<string> SecretGrants(Manifests m) =>
        [.. m.OfKind("ClusterRole").Concat(m.OfKind("Role"))
            .Where(r => Rbac.Permissions(r).Any(p => p.StartsWith("/secrets:", StringComparison.Ordinal)))
            .Select(r => $"{(string)r["kind"]!} {Namespace(r)}/{Manifests.Name(r)}")
            .Order(StringComparer.Ordinal)];

    private static void AssertBoundToTheOperator(Manifests m, string ns)
    {
        var binding = Assert.Single(m.OfKind("RoleBinding"), b => Namespace(b) == ns && Manifests.Name(b) == Name);
        Assert.Equal(("Role", Name), ((string?)binding["roleRef"]!["kind"], (string?)binding["roleRef"]!["name"]));
        var subject = Assert.Single(binding["subjects"]!.AsArray())!;
        Assert.Equal(("ServiceAccount", "cryptoindex-operator", Support.Chart.Namespace), ((string?)subject["kind"], (string?)subject["name"], (string?)subject["namespace"]));
    }

    [Fact]
    public async Task Listed_namespaces_get_a_secret_role_each_while_the_operator_still_watches_all()
    {
        var m = await Support.Chart.TemplateAsync("binance-values.yaml");

        Assert.Equal(Rbac.ManagerWithoutSecrets, Rbac.Permissions(m.One("ClusterRole", "cryptoindex-operator-manager")));
        m.One("ClusterRoleBinding", "cryptoindex-operator-manager");
        Assert.Equal([$"Role funds-a/{Name}", $"Role funds-b/{Name}"], SecretGrants(m));
        foreach (var ns in new[] { "funds-a", "funds-b" })
        {
            Assert.Equal(["/secrets:get"], Rbac.Permissions(Assert.Single(m.OfKind("Role"), r => Namespace(r) == ns && Manifests.Name(r) == Name)));
            AssertBoundToTheOperator(m, ns);
        }

        Assert.Equal(2, m.OfKind("RoleBinding").Count(b => Manifests.Name(b) == Name));
        Assert.DoesNotContain(m.OfKind("ClusterRoleBinding"), b => Manifests.Name(b).Contains("exchange-credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_watched_namespaces_the_list_narrows_the_secret_rule_to_some_of_them()
    {
        var m = await Support.Chart.TemplateAsync(string.Empty, "watchNamespaces={funds-a,funds-b}", "rbac.exchangeCredentials=true", "rbac.exchangeCredentialsNamespaces={funds-b}");

        Assert.Empty(m.OfKind("ClusterRoleBinding"));
        Assert.All(m.OfKind("Role").Where(r => Manifests.Name(r) == "cryptoindex-operator-manager"), r => Assert.Equal(Rbac.ManagerWithoutSecrets, Rbac.Permissions(r)));
        Assert.Equal([$"Role funds-b/{Name}"], SecretGrants(m));
        AssertBoundToTheOperator(m, "funds-b");
    }

    [Theory]
    [InlineData("", "ClusterRole /cryptoindex-operator-manager")] // the former behaviour, kept: every Secret in the cluster
    [InlineData("watchNamespaces={funds-a,funds-b}", "Role funds-a/cryptoindex-operator-manager,Role funds-b/cryptoindex-operator-manager")]
    public async Task Without_the_list_the_boolean_grants_where_the_operator_watches_as_before(string watch, string grants)
    {
        string[] sets = watch.Length == 0 ? ["rbac.exchangeCredentials=true"] : [watch, "rbac.exchangeCredentials=true"];

        var m = await Support.Chart.TemplateAsync(string.Empty, sets);

        Assert.Equal(grants.Split(','), SecretGrants(m));
        Assert.DoesNotContain(m.OfKind("Role"), r => Manifests.Name(r) == Name);
    }

    [Theory]
    [InlineData(
        new[] { "rbac.exchangeCredentialsNamespaces={funds-a}" },
        "rbac.exchangeCredentialsNamespaces (funds-a) grants nothing while rbac.exchangeCredentials is false: set rbac.exchangeCredentials=true for Binance funds there, or empty rbac.exchangeCredentialsNamespaces")]
    [InlineData(
        new[] { "rbac.create=false", "rbac.exchangeCredentialsNamespaces={funds-a}" },
        "rbac.exchangeCredentialsNamespaces (funds-a) grants nothing while rbac.exchangeCredentials is false")]
    [InlineData(
        new[] { "watchNamespaces={funds-a}", "rbac.exchangeCredentials=true", "rbac.exchangeCredentialsNamespaces={funds-a,funds-c}" },
        "rbac.exchangeCredentialsNamespaces: funds-c is not in watchNamespaces (funds-a): the operator reconciles no fund there; add it to watchNamespaces or remove it from rbac.exchangeCredentialsNamespaces")]
    public async Task Contradictory_values_are_refused_naming_the_value(string[] sets, string message)
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, sets);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains(message, result.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rbac.exchangeCredentialsNamespaces={Funds}")]
    [InlineData("rbac.exchangeCredentialsNamespaces={funds-a,funds-a}")]
    public async Task Namespaces_that_cannot_exist_or_repeat_are_refused_by_the_schema(string set)
    {
        var result = await Support.Chart.TryTemplateAsync(string.Empty, ["rbac.exchangeCredentials=true", set]);

        Assert.NotEqual(0, result.Exit);
        Assert.Contains("/rbac/exchangeCredentialsNamespaces", result.Err, StringComparison.Ordinal);
    }
}
