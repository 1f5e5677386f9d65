using CryptoIndex.Engine;

namespace CryptoIndex.MarketData.Simulation;

/// <summary>
/// A seeded, deterministic random walk of prices for demonstrations (the sandbox): every asset follows
/// <c>p_k = p_(k-1)·(1 + σ_step·(√ρ·M_k + √(1−ρ)·E_k))</c> per step of simulated time, where <c>M</c> is one market
/// factor shared by all assets (so they move together, correlation ρ) and <c>E</c> the asset's own noise, both drawn
/// by counter from the seed. The price at a time depends only on the seed, the asset's symbol and the time — not on
/// which assets were asked for, in which order, or how often — and is computed in decimal, so it is the same on every
/// machine. Market cap is price × the asset's supply.
/// </summary>
public sealed class SimulatedMarket
{
    private const int CheckpointEvery = 4096;
    private static readonly decimal DaysPerYear = 365.25m;
    private readonly ulong marketStream;
    private readonly decimal factorWeight;
    private readonly decimal ownWeight;
    private readonly Dictionary<string, AssetPath> paths = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public SimulatedMarket(int seed, DateTimeOffset start, decimal correlation = 0.6m, TimeSpan? step = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(correlation);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(correlation, 1m);
        Seed = seed;
        Start = start;
        Step = step ?? TimeSpan.FromMinutes(1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Step, TimeSpan.Zero);
        marketStream = StableHash.Mix((ulong)(uint)seed);
        factorWeight = DecimalMath.Sqrt(correlation);
        ownWeight = DecimalMath.Sqrt(1m - correlation);
    }

    public int Seed { get; }

    public DateTimeOffset Start { get; }

    /// <summary>Simulated time between two price moves (one minute by default).</summary>
    public TimeSpan Step { get; }

    /// <summary>The asset's price and market cap at <paramref name="time"/>, and the start of the step they belong to.</summary>
    public (decimal Price, decimal MarketCap, DateTimeOffset ObservedAt) Quote(string symbol, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        var step = time <= Start ? 0L : (time - Start).Ticks / Step.Ticks;
        lock (gate)
        {
            if (!paths.TryGetValue(symbol, out var path))
            {
                path = new AssetPath(this, symbol, SimulatedAssets.For(symbol));
                paths[symbol] = path;
            }

            var price = path.PriceAt(step);
            return (price, decimal.Round(price * path.Asset.Supply, 2), Start + TimeSpan.FromTicks(Step.Ticks * step));
        }
    }

    /// <summary>One asset's walk, computed forward on demand, with checkpoints so an earlier time is recomputed quickly.</summary>
    private sealed class AssetPath
    {
        private readonly SimulatedMarket market;
        private readonly ulong stream;
        private readonly decimal stepVolatility;
        private readonly Dictionary<long, decimal> checkpoints = [];
        private long index;
        private decimal price;

        public AssetPath(SimulatedMarket market, string symbol, SimulatedAsset asset)
        {
            this.market = market;
            Asset = asset;
            stream = StableHash.Mix(market.marketStream ^ StableHash.Of(symbol));
            stepVolatility = asset.AnnualVolatility * DecimalMath.Sqrt((decimal)market.Step.Ticks / TimeSpan.TicksPerDay / DaysPerYear);
            price = asset.StartPrice;
            checkpoints[0] = price;
        }

        public SimulatedAsset Asset { get; }

        public decimal PriceAt(long step)
        {
            if (step < index)
            {
                index = step / CheckpointEvery * CheckpointEvery;
                price = checkpoints[index];
            }

            while (index < step)
            {
                index++;
                var shock = (market.factorWeight * StableHash.Normal(market.marketStream, index)) + (market.ownWeight * StableHash.Normal(stream, index));
                // A step moves at most 12σ_step (Irwin–Hall tails end at ±6 per factor); the floor keeps prices positive anyway.
                price = decimal.Round(price * Math.Max(0.5m, 1m + (stepVolatility * shock)), 12);
                if (index % CheckpointEvery == 0)
                {
                    checkpoints[index] = price;
                }
            }

            return price;
        }
    }
}
