using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>
/// The CLI reads a manifest as <c>kubectl apply</c> would send it: one the API server would refuse for its version or
/// its name is refused here too, rather than planned under a name the operator could never see.
/// </summary>
public sealed class ManifestIdentityTests
{
    private const string Fund = """
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata:
          name: top-two
        spec:
          capital: 1000
          weighting: Equal
          assetCap: 50%
          constituents:
            - {symbol: BTC}
            - {symbol: ETH}
        """;

    [Fact]
    public void A_fund_kubectl_would_apply_is_read()
    {
        var (funds, error) = ManifestReader.Read(Fund);

        Assert.Null(error);
        Assert.Equal("top-two", Assert.Single(funds).Metadata.Name);
    }

    [Theory]
    [InlineData("apiVersion: cryptoindex.io/v1alpha1", "apiVersion: cryptoindex.io/v1", "document 1: apiVersion cryptoindex.io/v1 is not served: no kind \"IndexFund\" in that version; the IndexFund API is cryptoindex.io/v1alpha1")]
    [InlineData("metadata:\n  name: top-two", "metadata:\n  labels: {team: funds}", "document 1: metadata.name is required: a fund needs a name")]
    [InlineData("name: top-two", "name: \"\"", "document 1: metadata.name is required: a fund needs a name")]
    [InlineData("name: top-two", "name: Top_Two", "document 1: metadata.name \"Top_Two\" is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    [InlineData("name: top-two", "name: top-two-", "document 1: metadata.name \"top-two-\" is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character")]
    public void A_fund_the_API_server_would_refuse_for_its_version_or_name_is_refused_naming_the_field(string valid, string broken, string expected)
    {
        Assert.Contains(valid, Fund, StringComparison.Ordinal);

        var (funds, error) = ManifestReader.Read(Fund.Replace(valid, broken, StringComparison.Ordinal));

        Assert.Empty(funds);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Other_kinds_and_groups_in_the_file_are_still_skipped()
    {
        var (funds, error) = ManifestReader.Read("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Not_A_Fund\n---\n" + Fund);

        Assert.Null(error);
        Assert.Single(funds);
    }
}
