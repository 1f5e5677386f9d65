using System.Text.Json.Nodes;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Crd;

/// <summary>The IndexFund CustomResourceDefinition, generated from the API types.</summary>
internal static class CrdGenerator
{
    public const string FileName = "cryptoindex.io_indexfunds.yaml";

    public static JsonObject IndexFund()
    {
        var schema = new JsonObject
        {
            ["description"] = "IndexFund runs a crypto index fund: it prices the constituents, computes capped target weights and drift, rebalances through an exchange and reports in status.",
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string" },
                ["kind"] = new JsonObject { ["type"] = "string" },
                ["metadata"] = new JsonObject { ["type"] = "object" },
                ["spec"] = SchemaGenerator.For(typeof(IndexFundSpec)),
                ["status"] = SchemaGenerator.For(typeof(IndexFundStatus)),
            },
            ["required"] = new JsonArray("spec"),
        };

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{Api.IndexFund.Plural}.{Api.IndexFund.Group}",
                ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "cryptoindex-operator", ["app.kubernetes.io/component"] = "crd" },
            },
            ["spec"] = new JsonObject
            {
                ["group"] = Api.IndexFund.Group,
                ["names"] = new JsonObject
                {
                    ["kind"] = Api.IndexFund.KindName,
                    ["listKind"] = Api.IndexFund.KindName + "List",
                    ["plural"] = Api.IndexFund.Plural,
                    ["singular"] = Api.IndexFund.Singular,
                    ["shortNames"] = new JsonArray(Api.IndexFund.ShortName),
                    ["categories"] = new JsonArray(Api.IndexFund.Category),
                },
                ["scope"] = "Namespaced",
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = Api.IndexFund.Version,
                    ["served"] = true,
                    ["storage"] = true,
                    ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                    ["additionalPrinterColumns"] = PrinterColumns(),
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = schema },
                }),
            },
        };
    }

    private static JsonArray PrinterColumns() =>
    [
        Column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", "True when the fund needs no action now: within its thresholds, held back by minInterval, nothing to trade, or a dry run (see Reason)"),
        Column("Weighting", "string", ".spec.weighting", "How constituents are weighted", priority: 1),
        Column("NAV", "string", ".status.nav", "Net asset value in the quote currency"),
        Column("Max Drift", "string", ".status.maxDrift", "Largest drift of any asset from its target"),
        Column("Last Rebalance", "date", ".status.lastRebalanceTime", "When the last rebalance completed"),
        Column("Reason", "string", ".status.conditions[?(@.type==\"Ready\")].reason", "Why the fund is (not) ready", priority: 1),
        Column("Age", "date", ".metadata.creationTimestamp", "Age of the fund"),
    ];

    private static JsonObject Column(string name, string type, string path, string description, int priority = 0)
    {
        var column = new JsonObject { ["name"] = name, ["type"] = type, ["jsonPath"] = path, ["description"] = description };
        if (priority > 0)
        {
            column["priority"] = priority;
        }

        return column;
    }
}
