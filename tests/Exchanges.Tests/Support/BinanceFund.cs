using System.Collections.Immutable;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Binance;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace CryptoIndex.Exchanges.Tests.Support;

/// <summary>
/// A fund trading on the fake Binance. The fake (its account and orders) and the journal outlive every executor:
/// <see cref="Executor"/> builds a new operator-side stack (HTTP client, Binance client, executor) as a restart would.
/// </summary>
public sealed class BinanceFund : IAsyncDisposable
{
    public const string Uid = "8c0e7f3a-1d2b-4c5e-9f6a-7b8c9d0e1f2a";

    public static readonly ImmutableSortedDictionary<string, decimal> Targets = PaperFund.Targets;

    private readonly List<HttpClient> clients = [];

    private BinanceFund(FakeBinance fake)
    {
        Fake = fake;
    }

    public FakeBinance Fake { get; }

    public FakeState State => Fake.State;

    public FakeTimeProvider Time => Fake.Time;

    public InMemoryRebalanceJournal Journal { get; } = new();

    public RecordingLoggerProvider Logs { get; } = new();

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public static async Task<BinanceFund> CreateAsync(decimal doge = 1000m)
    {
        var state = new FakeState();
        state.Balances["USDT"] = 5000m;
        state.Balances["BTC"] = 0.2m;
        state.Balances["ETH"] = 1m;
        state.Balances["DOGE"] = doge;
        foreach (var (asset, price) in PaperFund.Prices)
        {
            state.Prices[asset] = price;
        }

        state.Symbols["BTC"] = new FakeSymbol(0.00001m, 0.00001m, 9000m, 5m);
        state.Symbols["ETH"] = new FakeSymbol(0.0001m, 0.0001m, 90000m, 5m);
        state.Symbols["SOL"] = new FakeSymbol(0.01m, 0.01m, 900000m, 5m);
        state.Symbols["DOGE"] = new FakeSymbol(1m, 1m, 90000000m, 5m);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 6, 0, 0, TimeSpan.Zero));
        return new BinanceFund(await FakeBinance.StartAsync(state, time));
    }

    /// <summary>Takes <paramref name="asset"/>'s market off the exchange: exchangeInfo then refuses any request naming it (-1121).</summary>
    public void Delist(string asset)
    {
        lock (State.Gate)
        {
            State.Symbols.Remove(asset);
        }
    }

    public RebalanceStart Start(long sequence = 1)
    {
        lock (State.Gate)
        {
            var holdings = Holdings.Of(
                State.Balances["USDT"], [.. State.Balances.Where(b => b.Key != "USDT").Select(b => (b.Key, b.Value))]);
            return new RebalanceStart(Uid, sequence, holdings, Targets, PaperFund.Prices, new PlanOptions(FeeRate: 0.001m));
        }
    }

    public BinanceExchange Exchange(BinanceCredentials? credentials = null, BinanceOptions? options = null)
    {
        var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        clients.Add(http);
        return new BinanceExchange(
            http,
            credentials ?? new BinanceCredentials(FakeBinance.ApiKey, FakeBinance.SecretKey),
            (options ?? new BinanceOptions()) with { BaseAddress = Fake.BaseAddress, ReadRetryDelay = TimeSpan.Zero },
            Time,
            Logs.For<BinanceExchange>(),
            new ExchangeMetrics(Registry));
    }

    public RebalanceExecutor Executor(
        CrashSwitch? crash = null, ExecutorOptions? options = null, BinanceCredentials? credentials = null, BinanceOptions? binance = null)
    {
        IExchange exchange = Exchange(credentials, binance);
        return new RebalanceExecutor(
            crash is null ? exchange : new CrashingExchange(exchange, crash),
            crash is null ? Journal : new CrashingJournal(Journal, crash),
            new ExchangeMetrics(Registry),
            Time,
            Logs.For<RebalanceExecutor>(),
            options);
    }

    /// <summary>
    /// The ledger in the record (start holdings + recorded fills) equals the fake exchange's balances, exactly. With
    /// <paramref name="paidOutside"/> (an asset the account pays commissions in, outside the fund, and its balance
    /// before, less any of it the rebalance sold), that asset is not compared: the account holds that balance less every
    /// external fee recorded (whether the fund's own part of it or the part outside the fund paid it).
    /// </summary>
    public void AssertLedgerMatchesExchange(RebalanceRecord record, (string Asset, decimal Before)? paidOutside = null)
    {
        var holdings = record.Holdings();
        Assert.True(holdings.IsSuccess, holdings.ToString());
        lock (State.Gate)
        {
            Assert.Equal(State.Balance("USDT"), holdings.Value.Cash);
            foreach (var asset in State.Balances.Keys.Union(holdings.Value.Quantities.Keys).Where(a => a != "USDT" && a != paidOutside?.Asset))
            {
                Assert.True(State.Balance(asset) == holdings.Value.QuantityOf(asset), $"{asset}: exchange {State.Balance(asset)}, ledger {holdings.Value.QuantityOf(asset)}");
            }

            if (paidOutside is { } outside)
            {
                var paid = record.Legs.SelectMany(l => l.Fills).Where(f => f.FeeCurrency == FeeCurrency.External && f.FeeAsset == outside.Asset).Sum(f => f.Fee);
                Assert.Equal(outside.Before - paid, State.Balance(outside.Asset));
            }
        }
    }

    /// <summary>No client order id was executed more than once on the exchange.</summary>
    public void AssertNoDoubleExecution()
    {
        foreach (var (id, count) in State.ExecutionsPerClientOrderId())
        {
            Assert.True(count == 1, $"{id} executed {count} times");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await Fake.DisposeAsync();
    }
}
