using BenchmarkDotNet.Attributes;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Benchmarks;

/// <summary>Target weights for n assets: the Engine's exact sweep against the iterative capping loop.</summary>
[MemoryDiagnoser]
public class TargetWeightsBenchmarks
{
    private Constituent[] constituents = [];
    private decimal[] bases = [];
    private TargetWeight[] buffer = [];
    private decimal[] weights = [];
    private IndexUniverse cappedUniverse = null!;
    private IndexUniverse squareRootUniverse = null!;
    private WeightingRules capped = new(WeightingScheme.MarketCap);
    private WeightingRules cappedAndFloored = new(WeightingScheme.MarketCap);
    private WeightingRules squareRoot = new(WeightingScheme.SqrtMarketCap);

    [Params(10, 100, 1_000, 10_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        constituents = MarketFixtures.Constituents(N);
        bases = constituents.Select(c => c.MarketCap!.Value).ToArray();
        var cap = MarketFixtures.CapFor(N);
        capped = new WeightingRules(WeightingScheme.MarketCap, cap);
        cappedAndFloored = capped with { AssetFloor = Math.Min(cap, decimal.Round(0.2m / N, 8)) };
        squareRoot = capped with { Scheme = WeightingScheme.SqrtMarketCap };
        buffer = new TargetWeight[N];
        weights = new decimal[N];
        cappedUniverse = IndexUniverse.Create(constituents, capped).Value;
        squareRootUniverse = IndexUniverse.Create(constituents, squareRoot).Value;
    }

    [Benchmark(Baseline = true)]
    public decimal[] IterativeBaseline() => IterativeCappingBaseline.Solve(bases, capped.AssetCap);

    [Benchmark]
    public TargetAllocation MarketCapCapped() => TargetWeights.Compute(constituents, capped).Value;

    /// <summary>The same computation into a buffer the caller reuses: no allocation at all.</summary>
    [Benchmark]
    public EngineError? MarketCapCappedIntoBuffer() => TargetWeights.ComputeInto(constituents, capped, buffer);

    [Benchmark]
    public TargetAllocation MarketCapCappedAndFloored() => TargetWeights.Compute(constituents, cappedAndFloored).Value;

    [Benchmark]
    public TargetAllocation SqrtMarketCapCapped() => TargetWeights.Compute(constituents, squareRoot).Value;

    [Benchmark]
    public EngineError? SqrtMarketCapCappedIntoBuffer() => TargetWeights.ComputeInto(constituents, squareRoot, buffer);

    /// <summary>
    /// The constituents checked once (an <see cref="IndexUniverse"/>), the market caps per call, as the baseline takes
    /// them: a decimal array in, a new decimal array of weights out.
    /// </summary>
    [Benchmark]
    public decimal[] UniverseMarketCap() => NewWeights(cappedUniverse);

    [Benchmark]
    public EngineError? UniverseMarketCapIntoBuffer() => cappedUniverse.WeightsInto(bases, weights);

    [Benchmark]
    public decimal[] UniverseSqrtMarketCap() => NewWeights(squareRootUniverse);

    [Benchmark]
    public EngineError? UniverseSqrtMarketCapIntoBuffer() => squareRootUniverse.WeightsInto(bases, weights);

    private decimal[] NewWeights(IndexUniverse universe)
    {
        var result = new decimal[N];
        _ = universe.WeightsInto(bases, result);
        return result;
    }
}
