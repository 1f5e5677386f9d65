using CryptoIndex.Engine.Weights;
using CryptoIndex.Operator.Api;
using CryptoIndex.LocalKube.Testing;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>Every sample is a valid fund, read exactly as the operator reads it.</summary>
public sealed class SampleTests
{
    public static TheoryData<string> Samples => [.. SampleFiles()];

    private static IEnumerable<string> SampleFiles() =>
        Directory.GetFiles(RepositoryPaths.Combine("config", "samples"), "*.yaml")
            .Select(p => Path.GetFileName(p))
            .Where(f => f != "kustomization.yaml") // the folder is also a kustomize base (kubectl apply -k config/samples)
            .Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Samples))]
    public void Each_sample_is_valid_and_documented(string file)
    {
        var text = File.ReadAllText(RepositoryPaths.Combine("config", "samples", file));
        var (funds, error) = ManifestReader.Read(text);

        Assert.Null(error);
        var fund = Assert.Single(funds);
        var (definition, errors) = SpecValidator.Validate(fund.Spec);
        Assert.Empty(errors);
        Assert.NotNull(definition);
        Assert.StartsWith("# ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_samples_cover_all_four_weightings()
    {
        var weightings = SampleFiles().Select(f => ManifestReader.Read(File.ReadAllText(RepositoryPaths.Combine("config", "samples", f))).Funds[0].Spec.Weighting);

        Assert.Equal([Weighting.MarketCap, Weighting.SqrtMarketCap, Weighting.Equal, Weighting.Manual], weightings.Distinct().Order());
    }

    [Fact]
    public void The_top10_sample_parses_to_exact_engine_inputs()
    {
        var fund = ManifestReader.Read(File.ReadAllText(RepositoryPaths.Combine("config", "samples", "top10-marketcap.yaml"))).Funds[0];
        var definition = SpecValidator.Validate(fund.Spec).Definition!;

        Assert.Equal(100_000m, definition.Capital);
        Assert.Equal(new WeightingRules(WeightingScheme.MarketCap, 0.25m, 0.01m), definition.Weighting);
        Assert.Equal((0.05m, 0.10m, TimeSpan.FromDays(30), TimeSpan.FromHours(24)),
            (definition.Policy.AssetThreshold, definition.Policy.TotalThreshold!.Value, definition.Policy.MaxInterval!.Value, definition.Policy.MinInterval!.Value));
        Assert.Equal((0.001m, 20m, 0m), (definition.Planning.FeeRate, definition.Planning.MinTradeValue, definition.Planning.CashBuffer));
        Assert.Equal(("bitcoin", "BTCUSDT"), (definition.Constituents[0].CoinGeckoId, definition.Constituents[0].BinancePair));
        Assert.Equal(("coingecko", TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(10)), (definition.Prices.Provider, definition.Prices.RefreshInterval, definition.Prices.MaxAge));
    }
}
