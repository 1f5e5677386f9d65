using System.Text.Json.Nodes;
using CryptoIndex.Operator.Crd;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>The CRD's CEL rules compile on a real API server, as far as LocalKube cannot tell (it does not compile CEL).</summary>
public sealed class CelRuleTypingTests
{
    private static IEnumerable<string> Rules(JsonNode? node) => node switch
    {
        JsonObject o => (o["x-kubernetes-validations"] as JsonArray ?? []).Select(r => (string)r!["rule"]!)
            .Concat(o.Where(p => p.Key != "x-kubernetes-validations").SelectMany(p => Rules(p.Value))),
        JsonArray a => a.SelectMany(Rules),
        _ => [],
    };

    [Fact]
    public void The_checker_knows_the_pitfall()
    {
        Assert.Equal(["found no matching overload for '_*_' applied to '(int, double)'"], CelArithmetic.Errors("size(self.items) * double(self.cap) >= 100.0"));
        Assert.Empty(CelArithmetic.Errors("double(size(self.items)) * double(self.cap.replace('%', '')) >= 100"));
    }

    [Fact]
    public void No_rule_mixes_int_and_double_arithmetic()
    {
        var rules = Rules(CrdGenerator.IndexFund()).ToList();

        Assert.NotEmpty(rules);
        Assert.All(rules, rule => Assert.Empty(CelArithmetic.Errors(rule)));
    }
}
