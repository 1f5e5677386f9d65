using System.Collections.Immutable;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Paper;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace CryptoIndex.Exchanges.Tests.Support;

/// <summary>
/// A fund on the paper exchange: cash, an overweight BTC, an ETH position, DOGE that left the index and SOL to buy,
/// so a rebalance has sells (one of them complete), a replan and buys.
/// </summary>
public sealed class PaperFund
{
    public const string Uid = "3f2b9c1e-8a7d-4e21-9b3c-5d6e7f8a9b0c";

    public static readonly ImmutableSortedDictionary<string, decimal> Prices = ImmutableSortedDictionary.CreateRange(
        StringComparer.Ordinal,
        new Dictionary<string, decimal> { ["BTC"] = 60000m, ["ETH"] = 3000m, ["SOL"] = 150m, ["DOGE"] = 0.2m });

    public static readonly ImmutableSortedDictionary<string, decimal> Targets = ImmutableSortedDictionary.CreateRange(
        StringComparer.Ordinal,
        new Dictionary<string, decimal> { ["BTC"] = 0.4m, ["ETH"] = 0.3m, ["SOL"] = 0.3m });

    public static readonly IReadOnlyDictionary<string, SymbolRules> Rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal)
    {
        ["BTC"] = new(0.00001m, 0.00001m, 5m),
        ["ETH"] = new(0.0001m, 0.0001m, 5m),
        ["SOL"] = new(0.01m, 0.01m, 5m),
        ["DOGE"] = new(1m, 1m, 5m),
    };

    public static readonly Holdings Initial = Holdings.Of(5000m, ("BTC", 0.2m), ("ETH", 1m), ("DOGE", 1000m));

    public PaperFund(decimal slippageBps = 5m)
    {
        SlippageBps = slippageBps;
    }

    public decimal SlippageBps { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero));

    public InMemoryRebalanceJournal Journal { get; } = new();

    public RecordingLoggerProvider Logs { get; } = new();

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public static RebalanceStart Start(long sequence = 1, Holdings? holdings = null) =>
        new(Uid, sequence, holdings ?? Initial, Targets, Prices, new PlanOptions(FeeRate: 0.001m));

    public PaperExchange Exchange() => new(
        asset => Prices[asset],
        _ => Task.FromResult(Journal.Current(Uid)?.Holdings().Value ?? Initial), // the ledger with the fills staged so far
        new PaperOptions(FeeRate: 0.001m, SlippageBps: SlippageBps, SymbolRules: Rules),
        Time);

    /// <summary>
    /// A run resumed after a crash ended as the uninterrupted run did: done, the same books, and every leg in the same
    /// state with the same fills (a leg executed twice, or lost, would change them).
    /// </summary>
    public static void AssertSameEndState(RebalanceRecord expected, ExecutionResult result)
    {
        Assert.Equal(ExecutionStatus.Done, result.Status);
        Assert.Equal(expected.Holdings().Value.Cash, result.Record!.Holdings().Value.Cash);
        Assert.Equal(expected.Holdings().Value.Quantities, result.Record.Holdings().Value.Quantities);
        Assert.Equal(
            expected.Legs.Select(l => (l.ClientOrderId, l.State, l.Fills.Count)),
            result.Record.Legs.Select(l => (l.ClientOrderId, l.State, l.Fills.Count)));
    }

    /// <summary>A new executor, as after a restart: nothing shared with earlier ones but the journal (and the clock).</summary>
    public RebalanceExecutor Executor(CrashSwitch? crash = null, ExecutorOptions? options = null) => new(
        crash is null ? Exchange() : new CrashingExchange(Exchange(), crash),
        crash is null ? Journal : new CrashingJournal(Journal, crash),
        new ExchangeMetrics(Registry),
        Time,
        Logs.For<RebalanceExecutor>(),
        options);
}
