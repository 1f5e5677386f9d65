using BenchmarkDotNet.Attributes;
using CryptoIndex.Engine.Planning;

namespace CryptoIndex.Engine.Benchmarks;

/// <summary>A full rebalance plan (valuation, fee fixed point, sells, buys, expected holdings, residual drift).</summary>
[MemoryDiagnoser]
public class PlanBenchmarks
{
    private PlanRequest request = null!;

    [Params(100)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup() => request = MarketFixtures.PlanRequest(N);

    [Benchmark]
    public TradePlan FullPlan() => TradePlanner.Plan(request).Value;
}
