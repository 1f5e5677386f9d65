using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;
using k8s.Models;

namespace CryptoIndex.Operator.Tests.Api;

public sealed class FundConditionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_invalid_spec_is_stalled_and_not_ready_with_every_field_named()
    {
        var errors = new[] { new FieldError("spec.assetCap", "too small"), new FieldError("spec.capital", "must be greater than 0") };

        var conditions = FundConditions.InvalidSpec(errors, generation: 3, Now, previous: null);

        Assert.Equal([("Ready", "False"), ("Stalled", "True")], conditions.Select(c => (c.Type, c.Status)));
        Assert.All(conditions, c => Assert.Equal(("InvalidSpec", 3L, "spec.assetCap: too small; spec.capital: must be greater than 0", "2026-11-26T12:00:00Z"),
            (c.Reason, c.ObservedGeneration!.Value, c.Message, c.LastTransitionTime)));
    }

    [Fact]
    public void The_transition_time_is_kept_while_the_status_does_not_change()
    {
        var first = FundConditions.InvalidSpec([new FieldError("spec.capital", "bad")], 1, Now, null);

        var later = FundConditions.InvalidSpec([new FieldError("spec.assetCap", "bad")], 2, Now.AddHours(1), first);

        Assert.All(later, c => Assert.Equal("2026-11-26T12:00:00Z", c.LastTransitionTime));
        Assert.All(later, c => Assert.Equal(2L, c.ObservedGeneration));
    }

    [Fact]
    public void A_long_list_of_errors_is_cut_with_a_count()
    {
        var errors = Enumerable.Range(0, 100).Select(i => new FieldError($"spec.constituents[{i}].symbol", "is not an upper-case ticker such as BTC")).ToList();

        var message = FundConditions.InvalidSpec(errors, 1, Now, null)[0].Message!;

        Assert.True(message.Length <= FundConditions.MaxMessageLength);
        Assert.Matches(@"; and \d+ more$", message);
    }

    [Fact]
    public async Task Kubectl_shows_the_stalled_fund_as_not_ready_with_its_reason()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var kubectl = new Kubectl(cluster);
        await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "crds", CrdGenerator.FileName)));

        // Accepted by the schema (only CEL could refuse it), refused by the operator's own validation.
        var stored = (await cluster.ApplyYamlAsync("""
            apiVersion: cryptoindex.io/v1alpha1
            kind: IndexFund
            metadata: {name: too-capped}
            spec:
              capital: 1000
              assetCap: 20%
              constituents: [{symbol: BTC}, {symbol: ETH}]
            """))[0];
        var fund = stored.Deserialize<IndexFund>(ApiJson.Options)!;
        var (_, errors) = SpecValidator.Validate(fund.Spec);
        var status = new IndexFundStatus { ObservedGeneration = fund.Metadata.Generation, Conditions = FundConditions.InvalidSpec(errors, fund.Metadata.Generation ?? 0, Now, null) };
        var patch = new V1Patch(new JsonObject { ["status"] = JsonSerializer.SerializeToNode(status, ApiJson.Options) }.ToJsonString(), V1Patch.PatchType.MergePatch);
        await cluster.CreateClient().CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "too-capped");

        var wide = await kubectl.OkAsync("get", "ifund", "too-capped", "-o", "wide");
        await kubectl.OkAsync("wait", "--for=condition=Stalled", "ifund/too-capped", "--timeout=10s");

        var row = wide.Split('\n')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(("too-capped", "False"), (row[0], row[1]));
        Assert.Contains("InvalidSpec", wide, StringComparison.Ordinal);
    }
}
