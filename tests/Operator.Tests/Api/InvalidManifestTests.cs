using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>
/// Manifests that each break one rule. The operator (and the CLI) reject every one with an error naming the field;
/// where the rule is in the OpenAPI schema, the API server rejects it too. Rules that only CEL expresses are the
/// operator's to enforce (LocalKube, like older clusters, does not evaluate CEL).
/// </summary>
public sealed class InvalidManifestTests
{
    private const string Valid = """
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata:
          name: fund
        spec:
          capital: 1000
          weighting: MarketCap
          assetCap: 50%
          constituents:
            - {symbol: BTC, coinGeckoId: bitcoin}
            - {symbol: ETH, coinGeckoId: ethereum}
            - {symbol: SOL, coinGeckoId: solana}
          rebalance:
            threshold: 5%
            minInterval: 1h
            maxInterval: 720h
          prices:
            refreshInterval: 60s
            maxAge: 10m
          exchange:
            kind: paper
            feeRate: 0.1%
          historyLimit: 50
        """;

    private const string Constituents = "weighting: MarketCap\n  assetCap: 50%\n  constituents:\n    - {symbol: BTC, coinGeckoId: bitcoin}\n    - {symbol: ETH, coinGeckoId: ethereum}\n    - {symbol: SOL, coinGeckoId: solana}";

    // Manual weights summing to 100%, SOL's as given.
    private static string ManualWith(string solWeight) =>
        "weighting: Manual\n  assetCap: 50%\n  constituents:\n    - {symbol: BTC, weight: 50%}\n    - {symbol: ETH, weight: 50%}\n    - {symbol: SOL, weight: " + solWeight + "}";

    public static TheoryData<string, string, string, string, bool> Cases => new()
    {
        // rule broken, text replaced, replacement, field named, also rejected by the API server's schema
        { "cap infeasible: 3 × 25% < 100%", "assetCap: 50%", "assetCap: 25%", "spec.assetCap", false },
        { "cap above 100%", "assetCap: 50%", "assetCap: 150%", "spec.assetCap", true },
        { "cap without %", "assetCap: 50%", "assetCap: \"50\"", "spec.assetCap", true },
        { "floor above cap", "assetCap: 50%", "assetCap: 50%\n  assetFloor: 60%", "spec.assetFloor", false },
        { "floor infeasible: 3 × 40% > 100%", "assetCap: 50%", "assetCap: 50%\n  assetFloor: 40%", "spec.assetFloor", false },
        { "duplicate symbol", "symbol: SOL", "symbol: BTC", "spec.constituents[2].symbol", true },
        { "lower-case symbol", "symbol: BTC", "symbol: btc", "spec.constituents[0].symbol", true },
        { "Manual without weights", "weighting: MarketCap", "weighting: Manual", "spec.constituents[0].weight", false },
        { "weight without Manual", "symbol: BTC, coinGeckoId: bitcoin", "symbol: BTC, coinGeckoId: bitcoin, weight: 50%", "spec.constituents[0].weight", false },
        { "manual weights sum to 90%", "weighting: MarketCap\n  assetCap: 50%\n  constituents:\n    - {symbol: BTC, coinGeckoId: bitcoin}\n    - {symbol: ETH, coinGeckoId: ethereum}\n    - {symbol: SOL, coinGeckoId: solana}",
            "weighting: Manual\n  assetCap: 50%\n  constituents:\n    - {symbol: BTC, weight: 50%}\n    - {symbol: ETH, weight: 30%}\n    - {symbol: SOL, weight: 10%}", "spec.constituents", false },
        { "manual weight of 0%", Constituents, ManualWith("0%"), "spec.constituents[2].weight", true },
        { "manual weight of 0.000%", Constituents, ManualWith("0.000%"), "spec.constituents[2].weight", true },
        { "capital not a number", "capital: 1000", "capital: lots", "spec.capital", true },
        { "capital zero", "capital: 1000", "capital: 0", "spec.capital", false },
        { "capital negative", "capital: 1000", "capital: \"-5\"", "spec.capital", true },
        // A pattern applies to strings only: an integer needs the schema's numeric bounds to be refused.
        { "capital a negative integer", "capital: 1000", "capital: -5", "spec.capital", true },
        { "capital an integer of 16 digits", "capital: 1000", "capital: 1234567890123456", "spec.capital", true },
        { "minTradeValue a negative integer", "threshold: 5%", "threshold: 5%\n    minTradeValue: -1", "spec.rebalance.minTradeValue", true },
        { "minInterval above maxInterval", "minInterval: 1h", "minInterval: 1000h", "spec.rebalance.minInterval", false },
        { "duration in days", "maxInterval: 720h", "maxInterval: 30d", "spec.rebalance.maxInterval", true },
        { "empty duration", "maxAge: 10m", "maxAge: \"\"", "spec.prices.maxAge", true },
        { "threshold without %", "threshold: 5%", "threshold: \"5\"", "spec.rebalance.threshold", true },
        { "unknown weighting", "weighting: MarketCap", "weighting: Capped", "spec.weighting", true },
        { "binance without credentials", "kind: paper", "kind: binance", "spec.exchange.credentialsSecretRef", false },
        { "fee rate of 60%", "feeRate: 0.1%", "feeRate: 60%", "spec.exchange.feeRate", false },
        { "refresh below 10s", "refreshInterval: 60s", "refreshInterval: 5s", "spec.prices.refreshInterval", false },
        { "refresh longer than maxAge", "refreshInterval: 60s", "refreshInterval: 1h", "spec.prices.refreshInterval", false },
        { "history limit above 500", "historyLimit: 50", "historyLimit: 1000", "spec.historyLimit", true },
        { "quote currency EUR", "capital: 1000", "capital: 1000\n  quoteCurrency: EUR", "spec.quoteCurrency", true },
        // The API server's RE2 `$` is the end of the text; .NET's also matches before a final newline.
        { "threshold with a trailing newline", "threshold: 5%", "threshold: \"5%\\n\"", "spec.rebalance.threshold", true },
        { "capital with a trailing newline", "capital: 1000", "capital: \"1000\\n\"", "spec.capital", true },
        { "interval with a trailing newline", "maxInterval: 720h", "maxInterval: \"720h\\n\"", "spec.rebalance.maxInterval", true },
        { "symbol with a trailing newline", "symbol: SOL", "symbol: \"SOL\\n\"", "spec.constituents[2].symbol", true },
        // Enums are exact and strings bounded, as the API server has them (the enum converters are lenient).
        { "weighting in lower case", "weighting: MarketCap", "weighting: marketcap", "spec.weighting", true },
        { "weighting as a number", "weighting: MarketCap", "weighting: 2", "spec.weighting", true },
        { "mode in lower case", "threshold: 5%", "threshold: 5%\n    mode: tobandedge", "spec.rebalance.mode", true },
        { "displayName over 100 characters", "capital: 1000", "capital: 1000\n  displayName: " + new string('x', 101), "spec.displayName", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_operator_rejects_it_naming_the_field(string rule, string find, string replace, string field, bool bySchema)
    {
        _ = bySchema;
        var (funds, readError) = ManifestReader.Read(Break(find, replace));

        var messages = readError is not null
            ? [readError]
            : SpecValidator.Validate(Assert.Single(funds).Spec).Errors.Select(e => e.ToString()).ToList();
        Assert.True(messages.Any(m => m.StartsWith(field + ":", StringComparison.Ordinal) || m.Contains(": " + field + ":", StringComparison.Ordinal)),
            $"{rule}: expected an error for {field}, got: {string.Join(" | ", messages)}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_api_server_rejects_what_the_schema_can_express(string rule, string find, string replace, string field, bool bySchema)
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "crds", CrdGenerator.FileName)));

        var apply = cluster.ApplyYamlAsync(Break(find, replace));

        if (bySchema)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => apply);
            Assert.Contains("422", error.Message, StringComparison.Ordinal);

            // A duplicate list-map key is reported on the item (spec.constituents[2]), as Kubernetes does.
            var item = field[..field.LastIndexOf('.')];
            Assert.True(
                error.Message.Contains(field, StringComparison.Ordinal) || error.Message.Contains($"\"field\":\"{item}\"", StringComparison.Ordinal),
                $"{rule}: the API server's error does not name {field}: {error.Message}");
        }
        else
        {
            await apply; // only CEL can say this: accepted here, refused by the operator (previous test)
        }

        Assert.False(string.IsNullOrEmpty(rule));
    }

    [Fact]
    public void Every_problem_is_reported_at_once_including_the_engines_feasibility_rules()
    {
        // Parse errors (a fee rate, a negative capital) do not hide the rules the Engine checks on what did parse.
        var broken = Break("minInterval: 1h", "minInterval: 1000h")
            .Replace("assetCap: 50%", "assetCap: 25%", StringComparison.Ordinal)
            .Replace("feeRate: 0.1%", "feeRate: 60%", StringComparison.Ordinal)
            .Replace("capital: 1000", "capital: \"-5\"", StringComparison.Ordinal);
        var (funds, readError) = ManifestReader.Read(broken);
        Assert.Null(readError);

        var errors = SpecValidator.Validate(Assert.Single(funds).Spec).Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(
            ["spec.assetCap", "spec.capital", "spec.exchange.feeRate", "spec.rebalance.minInterval"],
            errors.Select(e => e[..e.IndexOf(':', StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        Assert.Contains("spec.capital: capital must be greater than 0", errors);
    }

    /// <summary>A threshold that does not parse, or one out of range, does not hide the intervals' own problems.</summary>
    [Theory]
    [InlineData("threshold: 150%", "spec.rebalance.threshold")]
    [InlineData("threshold: 5%\n    totalThreshold: 150%", "spec.rebalance.totalThreshold")]
    public void The_rebalance_rules_problems_are_reported_together(string threshold, string thresholdField)
    {
        var broken = Break("threshold: 5%", threshold).Replace("maxInterval: 720h", "maxInterval: 0s", StringComparison.Ordinal);
        var (funds, readError) = ManifestReader.Read(broken);
        Assert.Null(readError);

        var fields = SpecValidator.Validate(Assert.Single(funds).Spec).Errors.Select(e => e.Field).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["spec.rebalance.maxInterval", thresholdField], fields); // sorted
    }

    /// <summary>Both intervals out of order and each out of range: each is named, and their order is judged only once both are valid.</summary>
    [Fact]
    public void A_negative_min_interval_and_a_zero_max_interval_are_both_named()
    {
        var broken = Break("minInterval: 1h", "minInterval: \"-1h\"").Replace("maxInterval: 720h", "maxInterval: 0s", StringComparison.Ordinal);
        var (funds, _) = ManifestReader.Read(broken);

        var errors = SpecValidator.Validate(Assert.Single(funds).Spec).Errors.Select(e => e.ToString()).ToList();

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("spec.rebalance.maxInterval: ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.rebalance.minInterval: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_typo_in_an_id_does_not_hide_an_infeasible_cap()
    {
        var broken = Break("assetCap: 50%", "assetCap: 25%").Replace("coinGeckoId: bitcoin", "coinGeckoId: Bitcoin!", StringComparison.Ordinal);
        var (funds, _) = ManifestReader.Read(broken);

        var fields = SpecValidator.Validate(Assert.Single(funds).Spec).Errors.Select(e => e.Field).Order(StringComparer.Ordinal);

        Assert.Equal(["spec.assetCap", "spec.constituents[0].coinGeckoId"], fields);
    }

    [Fact]
    public void The_unbroken_manifest_is_valid()
    {
        var (funds, error) = ManifestReader.Read(Valid);

        Assert.Null(error);
        Assert.Empty(SpecValidator.Validate(Assert.Single(funds).Spec).Errors);
    }

    private static string Break(string find, string replace)
    {
        var broken = Valid.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Valid, broken);
        return broken;
    }
}
