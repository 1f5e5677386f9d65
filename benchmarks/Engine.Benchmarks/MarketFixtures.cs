using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Engine.Weights;

namespace CryptoIndex.Engine.Benchmarks;

/// <summary>
/// Deterministic synthetic markets: market caps follow a power law (a few giants, a long tail), as crypto's do,
/// so that the cap binds on many assets and the iterative baseline needs many rounds.
/// </summary>
internal static class MarketFixtures
{
    public static Constituent[] Constituents(int n, int seed = 42)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n)
            .Select(i => new Constituent(
                $"A{i:D5}",
                MarketCap: decimal.Round(1_000_000_000_000m / (decimal)Math.Pow(i + 1, 1.1) * (decimal)(0.9 + (0.2 * random.NextDouble())), 2)))
            .ToArray();
    }

    /// <summary>A cap that binds on the largest assets: about three times the equal weight, at least 1 %.</summary>
    public static decimal CapFor(int n) => Math.Max(0.01m, decimal.Round(3m / n, 4, MidpointRounding.AwayFromZero));

    public static PlanRequest PlanRequest(int n)
    {
        var constituents = Constituents(n);
        var targets = TargetWeights.Compute(constituents, new WeightingRules(WeightingScheme.MarketCap, CapFor(n))).Value.BySymbol();
        var random = new Random(7);
        var prices = constituents.ToDictionary(c => c.Symbol, _ => decimal.Round((decimal)(0.01 + (random.NextDouble() * 50_000)), 4), StringComparer.Ordinal);

        // Holdings that drifted ±30 % from a 10 M fund's targets, plus one asset that left the index.
        var held = targets.Select(t => (t.Key, decimal.Round(t.Value * 10_000_000m * (decimal)(0.7 + (0.6 * random.NextDouble())) / prices[t.Key], 6))).ToList();
        held.Add(("GONE", 1_000m));
        prices["GONE"] = 3m;
        var rules = prices.Keys.ToDictionary(s => s, _ => new SymbolRules(0.0001m, MinNotional: 5m), StringComparer.Ordinal);
        return new PlanRequest(Holdings.Of(25_000m, held.ToArray()), prices, targets, rules, new PlanOptions(FeeRate: 0.001m, MinTradeValue: 10m));
    }
}
