using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Tests.Weights;

/// <summary>A universe is immutable once created, so one may serve several threads at once.</summary>
public sealed class IndexUniverseSharingTests
{
    [Fact]
    public void One_universe_used_from_several_threads_gives_each_the_weights_it_gives_alone()
    {
        var random = new Random(3);
        var constituents = Enumerable.Range(0, 200).Select(i => new Constituent($"A{i:D3}")).ToArray();
        var universe = IndexUniverse.Create(constituents, new WeightingRules(WeightingScheme.SqrtMarketCap, AssetCap: 0.02m, AssetFloor: 0.001m)).Value;
        var markets = Enumerable.Range(0, 64)
            .Select(_ => constituents.Select(_ => decimal.Round((decimal)(random.NextDouble() * 1e11) + 1m, 2)).ToArray())
            .ToArray();
        var alone = markets.Select(m => Weights(universe, m)).ToArray();

        var together = new decimal[markets.Length][];
        Parallel.For(0, markets.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var i = k % markets.Length;
            var weights = Weights(universe, markets[i]);
            Assert.Equal(alone[i], weights);
            together[i] = weights;
        });

        Assert.All(together, Assert.NotNull);
        Assert.Equal(64, alone.Select(w => string.Join(",", w)).Distinct().Count()); // the markets really differ
    }

    private static decimal[] Weights(IndexUniverse universe, decimal[] marketCaps)
    {
        var weights = new decimal[universe.Count];
        Assert.Null(universe.WeightsInto(marketCaps, weights));
        return weights;
    }
}
