using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CryptoIndex.Operator.Crd;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>The README's configuration reference lists exactly the spec fields the CRD has.</summary>
public sealed partial class ReadmeReferenceTests
{
    [Fact]
    public void Every_spec_field_is_in_the_readme_reference_and_nothing_else_is()
    {
        var spec = CrdGenerator.IndexFund()["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!.AsObject();
        var fields = new List<string>();
        Walk(spec, "spec", fields);

        var readme = File.ReadAllText(RepositoryPaths.Combine("README.md"));
        var documented = FieldRow().Matches(readme).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(fields.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));

        static void Walk(JsonObject schema, string path, List<string> fields)
        {
            foreach (var (name, child) in schema["properties"]?.AsObject() ?? [])
            {
                var field = $"{path}.{name}";
                fields.Add(field);
                var node = child!.AsObject();
                Walk(node, field, fields);
                if (node["items"] is JsonObject items)
                {
                    Walk(items, field + "[]", fields);
                }
            }
        }
    }

    [GeneratedRegex(@"^\| `(spec\.[^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex FieldRow();
}
