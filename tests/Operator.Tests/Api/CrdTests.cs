using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.Operator.Crd;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>The CRD is generated from the API types; the committed file must be exactly what they generate.</summary>
public sealed class CrdTests
{
    private static string CommittedPath => RepositoryPaths.Combine("config", "crds", CrdGenerator.FileName);

    [Fact]
    public void The_committed_crd_is_what_the_types_generate()
    {
        var generated = YamlWriter.Write(CrdGenerator.IndexFund());

        Assert.True(
            generated == File.ReadAllText(CommittedPath),
            $"{CommittedPath} is out of date: run `dotnet run --project src/Operator -- crds` and commit the result.");
    }

    [Fact]
    public void Every_field_of_spec_and_status_has_a_description_for_kubectl_explain()
    {
        var root = CrdGenerator.IndexFund()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!;
        var missing = new List<string>();
        Walk(root["spec"]!.AsObject(), "spec", missing);
        Walk(root["status"]!.AsObject(), "status", missing);

        Assert.Empty(missing);

        static void Walk(JsonObject schema, string path, List<string> missing)
        {
            if (schema["description"] is null)
            {
                missing.Add(path);
            }

            foreach (var (name, child) in schema["properties"]?.AsObject() ?? [])
            {
                Walk(child!.AsObject(), $"{path}.{name}", missing);
            }

            if (schema["items"] is JsonObject items)
            {
                Walk(items, path + "[]", missing);
            }
        }
    }

    [Fact]
    public async Task The_api_server_accepts_the_crd_and_serves_indexfunds_with_their_printer_columns()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var kubectl = new Kubectl(cluster);

        await kubectl.OkAsync("apply", "-f", CommittedPath);
        await kubectl.OkAsync("wait", "--for=condition=Established", "crd/indexfunds.cryptoindex.io", "--timeout=20s");
        await kubectl.OkAsync("apply", "-k", RepositoryPaths.Combine("config", "samples"));
        var table = await kubectl.OkAsync("get", "ifund");
        var wide = await kubectl.OkAsync("get", "cryptoindex", "-o", "wide");

        var header = table.Split('\n')[0];
        Assert.Equal(["NAME", "READY", "NAV", "MAX", "DRIFT", "LAST", "REBALANCE", "AGE"], header.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["equal-weight", "manual-60-30-10", "sqrt-marketcap", "top10-capped"], table.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Split(' ')[0]).ToArray());
        Assert.Contains("WEIGHTING", wide.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("MarketCap", wide, StringComparison.Ordinal);
    }

    /// <summary>
    /// The real kubectl's request, refused by the schema up front: a pattern applies to strings only, so an integer
    /// capital needs the schema's numeric bounds (-5 used to be stored, and only the operator refused it).
    /// </summary>
    [Theory]
    [InlineData("capital: -5", "spec.capital: Invalid value: -5: spec.capital in body should be greater than or equal to 0")]
    [InlineData("capital: 1234567890123456", "spec.capital: Invalid value: 1234567890123456: spec.capital in body should be less than or equal to 999999999999999")]
    [InlineData("capital: 1000\n  weighting: Manual\n  constituents:\n  - {symbol: BTC, weight: 100%}\n  - {symbol: ETH, weight: 0%}",
        "spec.constituents[1].weight: Invalid value: \"0%\": spec.constituents[1].weight in body should match")]
    public async Task Kubectl_apply_is_refused_by_the_schema_naming_the_field(string spec, string refusal)
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        using var kubectl = new Kubectl(cluster);
        await kubectl.OkAsync("apply", "-f", CommittedPath);
        await kubectl.OkAsync("wait", "--for=condition=Established", "crd/indexfunds.cryptoindex.io", "--timeout=20s");
        var manifest = kubectl.WriteFile("fund.yaml", "apiVersion: cryptoindex.io/v1alpha1\nkind: IndexFund\nmetadata:\n  name: fund\nspec:\n  "
            + (spec.StartsWith("capital: 1000", StringComparison.Ordinal) ? spec : spec + "\n  weighting: Equal\n  constituents:\n  - {symbol: BTC}\n  - {symbol: ETH}") + "\n");

        var (exit, _, errors) = await kubectl.RunAsync("apply", "-f", manifest);

        Assert.NotEqual(0, exit);
        Assert.Contains(refusal, errors, StringComparison.Ordinal);
        Assert.Equal(string.Empty, (await kubectl.OkAsync("get", "ifund", "-o", "name")).Trim());
    }

    [Fact]
    public async Task Defaults_are_set_by_the_schema_so_the_effective_spec_is_visible()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync(File.ReadAllText(CommittedPath));
        var stored = (await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "samples", "equal-weight.yaml"))))[0];

        var spec = stored["spec"]!;
        Assert.Equal("USD", (string?)spec["quoteCurrency"]);
        Assert.Equal("100%", (string?)spec["assetCap"]);
        Assert.Equal("1h", (string?)spec["rebalance"]!["minInterval"]);
        Assert.Equal("coingecko", (string?)spec["prices"]!["provider"]);
        Assert.Equal("10m", (string?)spec["prices"]!["maxAge"]);
        Assert.Equal("paper", (string?)spec["exchange"]!["kind"]);
        Assert.Equal("0.1%", (string?)spec["exchange"]!["feeRate"]);
        Assert.Equal(50, (int?)spec["historyLimit"]);
        Assert.False((bool?)spec["dryRun"]);
    }

    [Fact]
    public async Task A_fund_read_back_through_KubernetesClient_has_the_same_values()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync(File.ReadAllText(CommittedPath));
        await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "samples", "top10-marketcap.yaml")));
        var client = cluster.CreateClient();

        var raw = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>("cryptoindex.io", "v1alpha1", "default", "indexfunds", "top10-capped");
        var fund = raw.Deserialize<CryptoIndex.Operator.Api.IndexFund>(ApiJson.Options)!;

        Assert.Equal("100000", fund.Spec.Capital);
        Assert.Equal(10, fund.Spec.Constituents.Count);
        Assert.Equal("25%", fund.Spec.AssetCap);
        Assert.Empty(CryptoIndex.Operator.Api.SpecValidator.Validate(fund.Spec).Errors);
    }
}
