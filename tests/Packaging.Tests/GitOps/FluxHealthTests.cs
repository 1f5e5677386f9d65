using System.Text.Json.Nodes;
using CryptoIndex.Packaging.Tests.Support;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Packaging.Tests.GitOps;

/// <summary>
/// The Flux health expressions for IndexFund (deploy/gitops/flux/cluster.yaml), evaluated on every fixture of the Argo CD
/// check, must read each fund as the Lua script does: Healthy and Suspended are current, Progressing in progress,
/// Degraded failed.
/// </summary>
public sealed class FluxHealthTests
{
    private static readonly string Folder = RepositoryPaths.Combine("deploy", "gitops", "argocd");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var inputPath in ArgoHealthTests.Cases().Select(c => (string)c[0]))
        {
            data.Add(inputPath);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Flux_reads_each_fixture_as_the_Argo_CD_check_does(string inputPath)
    {
        var fund = Manifests.ToJson(await File.ReadAllTextAsync(Path.Combine(Folder, inputPath)))!.AsObject();
        var (argo, _) = await ArgoHealth.AssessAsync(fund);

        var flux = FluxHealth.Assess(fund);

        if (fund["status"] is null)
        {
            // CEL cannot test for a missing top-level field: the expressions fail to evaluate and Flux keeps waiting
            // (Unknown), which is what Progressing means here.
            Assert.Equal("Progressing", argo);
            Assert.StartsWith("Unknown: no such attribute: status", flux, StringComparison.Ordinal);
            return;
        }

        var expected = argo switch
        {
            "Healthy" or "Suspended" => "Current",
            "Progressing" => "InProgress",
            "Degraded" => "Failed",
            _ => throw new InvalidOperationException($"unexpected Argo CD status {argo}"),
        };
        Assert.Equal(expected, flux);
    }

    [Fact]
    public void A_suspended_fund_and_a_transient_outage_do_not_hold_the_Kustomization_until_its_timeout()
    {
        static JsonObject Fund(string reason, string status = "False") => new()
        {
            ["metadata"] = new JsonObject { ["generation"] = 2 },
            ["status"] = new JsonObject
            {
                ["observedGeneration"] = 2,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = status, ["reason"] = reason, ["message"] = "m" }),
            },
        };

        Assert.Equal("Current", FluxHealth.Assess(Fund("Suspended")));
        Assert.Equal("Current", FluxHealth.Assess(Fund("WithinThresholds", "True")));
        Assert.Equal("Failed", FluxHealth.Assess(Fund("PricesStale"))); // Degraded in Argo CD: fails now, retried
        Assert.Equal("Failed", FluxHealth.Assess(Fund("ExchangeUnavailable")));
        Assert.Equal("InProgress", FluxHealth.Assess(Fund("RebalanceNeeded")));
    }

    [Fact]
    public void Every_expression_is_set()
    {
        var expressions = FluxHealth.Expressions();

        Assert.All(new[] { "current", "inProgress", "failed" }, field => Assert.False(string.IsNullOrWhiteSpace((string?)expressions[field]), field));
    }

    [Theory]
    [InlineData("has(status.conditions)", """{"status":{}}""", "False")]
    [InlineData("has(status.conditions)", """{"metadata":{}}""", "Error")] // a missing top-level field
    [InlineData("status.phase == 'x'", """{"status":{}}""", "Error")] // a missing field
    [InlineData("false && status.phase == 'x'", """{"status":{}}""", "False")] // && and || absorb an error decided by the other side
    [InlineData("status.phase == 'x' && false", """{"status":{}}""", "False")]
    [InlineData("true || status.phase == 'x'", """{"status":{}}""", "True")]
    [InlineData("status.phase == 'x' || false", """{"status":{}}""", "Error")]
    [InlineData("!has(status.a) && status.n != 2", """{"status":{"n":2}}""", "False")]
    [InlineData("status.l.exists(c, c.t == 'a' && c.s == 'True')", """{"status":{"l":[{"t":"b"},{"t":"a","s":"True"}]}}""", "True")]
    [InlineData("status.l.exists(c, c.s == 'True')", """{"status":{"l":[{"t":"b"},{"s":"False"}]}}""", "Error")]
    [InlineData("status.l.exists(c, c.s == 'True')", """{"status":{"l":[{"t":"b"},{"s":"True"}]}}""", "True")]
    [InlineData("status.n == 'x'", """{"status":{"n":1}}""", "False")] // different types are not equal
    public void The_CEL_subset_follows_CEL_on_missing_fields_and_errors(string expression, string json, string expected)
    {
        var result = Cel.Evaluate(expression, JsonNode.Parse(json)!.AsObject());

        Assert.Equal(expected, result switch { Cel.Error => "Error", true => "True", false => "False", _ => result.ToString() });
    }

    [Theory]
    [InlineData("status.conditions.all(c, c.status == 'True')")]
    [InlineData("status.?conditions.orValue([])")]
    [InlineData("size(status.conditions) > 0")]
    public void Expressions_beyond_the_subset_are_refused_not_misread(string expression) =>
        Assert.Throws<NotSupportedException>(() => Cel.Evaluate(expression, new JsonObject()));
}
