using System.Globalization;
using CryptoIndex.Engine.Backtesting;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Simulation;
using CryptoIndex.Operator.Cli;

namespace CryptoIndex.Operator.Sandbox;

/// <summary>The sandbox's prices and clock, and the words that say what they are (never mistaken for real money).</summary>
public sealed record SandboxMarket(PriceProviderSettings Settings, TimeProvider Clock, DateTimeOffset Start, string Label)
{
    /// <summary>When the market has no more prices (the end of replayed history), or null.</summary>
    public DateTimeOffset? End { get; init; }

    public static (SandboxMarket? Market, string? Error) Create(SandboxOptions options, TimeProvider real)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(real);
        var speed = options.Speed.ToString("0.###", CultureInfo.InvariantCulture);
        switch (options.Market)
        {
            case SandboxMarketKind.CoinGecko:
                return (new SandboxMarket(new PriceProviderSettings(), real, real.GetUtcNow(), "LIVE CoinGecko prices, in real time (paper trading only)"), null);
            case SandboxMarketKind.Replay:
                var (replayed, error) = LoadHistory(options.DataDirectory!);
                if (replayed is null)
                {
                    return (null, error);
                }

                if (replayed.FirstCommonDay > replayed.LastCommonDay)
                {
                    return (null, $"--data: the files in '{options.DataDirectory}' have no day in common");
                }

                if (options.From is { } from && (from < replayed.FirstCommonDay || from > replayed.LastCommonDay))
                {
                    return (null, string.Create(CultureInfo.InvariantCulture, $"--from: {from:yyyy-MM-dd} is outside the history every asset has ({replayed.FirstCommonDay:yyyy-MM-dd} to {replayed.LastCommonDay:yyyy-MM-dd})"));
                }

                var day = options.From ?? replayed.FirstCommonDay!.Value;
                var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                var replayClock = new ScaledTimeProvider(start, options.Speed, real);
                return (new SandboxMarket(
                    new PriceProviderSettings { Substitute = new ReplayedSource(replayed, replayClock) },
                    replayClock,
                    start,
                    string.Create(CultureInfo.InvariantCulture, $"REPLAYED history of {replayed.Symbols.Count} assets from {options.DataDirectory}, starting {day:yyyy-MM-dd}, at {speed}x real time"))
                {
                    End = new DateTimeOffset(replayed.LastCommonDay!.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(1),
                }, null);
            default:
                var now = real.GetUtcNow();
                var clock = new ScaledTimeProvider(now, options.Speed, real);
                return (new SandboxMarket(
                    new PriceProviderSettings { Substitute = new SimulatedSource(new SimulatedMarket(options.Seed, now, step: SimulatedStep(options.Speed)), clock) },
                    clock,
                    now,
                    $"SIMULATED market (random walk, seed {options.Seed}) at {speed}x real time"), null);
        }
    }

    /// <summary>
    /// Prices move once per real second, but at least every simulated minute and at most every five (so a quote is
    /// never older than half the default 10-minute maxAge of a fund): fewer status writes at high speeds, never stale.
    /// </summary>
    private static TimeSpan SimulatedStep(double speed) => TimeSpan.FromSeconds(Math.Clamp(Math.Round(speed), 60, 300));

    /// <summary>Every <c>&lt;symbol&gt;-usd-*.csv</c> of the folder, each asset over its own days.</summary>
    private static (ReplayedMarket? Market, string? Error) LoadHistory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return (null, $"--data: folder '{directory}' does not exist");
        }

        var symbols = Directory.EnumerateFiles(directory, "*-usd-*.csv")
            .Select(f => Path.GetFileName(f).Split("-usd-")[0].ToUpperInvariant())
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (symbols.Count == 0)
        {
            return (null, $"--data: no <symbol>-usd-*.csv files in '{directory}'");
        }

        var series = new Dictionary<string, IReadOnlyList<(DateOnly, AssetClose)>>(StringComparer.Ordinal);
        foreach (var symbol in symbols)
        {
            var (history, error) = CoinGeckoHistory.Load(directory, [symbol], needsMarketCaps: false);
            if (history is null)
            {
                return (null, error);
            }

            series[symbol] = [.. history.Days.Select(d => (d.Date, d.Closes[symbol]))];
        }

        return (new ReplayedMarket(series), null);
    }
}
