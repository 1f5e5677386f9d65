using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Execution;

namespace CryptoIndex.Exchanges.Tests.Support;

/// <summary>The operator process stopping: thrown by the crash wrappers, caught only by the test driver.</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("simulated crash")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Counts the executor's operations (journal saves and exchange calls) and stops the "process" at the
/// <see cref="CrashAt"/>-th: before the operation takes effect, or right after it took effect but before its
/// answer reaches the executor.
/// </summary>
public sealed class CrashSwitch(int crashAt, bool afterEffect)
{
    public int CrashAt { get; } = crashAt;

    public bool AfterEffect { get; } = afterEffect;

    public int Count { get; private set; }

    public bool Fired { get; private set; }

    public async Task<T> Step<T>(Func<Task<T>> operation)
    {
        Count++;
        if (Count != CrashAt)
        {
            return await operation();
        }

        Fired = true;
        if (AfterEffect)
        {
            await operation();
        }

        throw new SimulatedCrashException($"crash at operation {CrashAt} ({(AfterEffect ? "after" : "before")} its effect)");
    }
}

public sealed class CrashingJournal(IRebalanceJournal inner, CrashSwitch crash) : IRebalanceJournal
{
    public Task<RebalanceRecord?> LoadAsync(string fundUid, CancellationToken cancellationToken) => inner.LoadAsync(fundUid, cancellationToken);

    public void Stage(RebalanceRecord record) => inner.Stage(record);

    public Task SaveAsync(RebalanceRecord record, CancellationToken cancellationToken) =>
        crash.Step(async () =>
        {
            await inner.SaveAsync(record, cancellationToken);
            return true;
        });
}

public sealed class CrashingExchange(IExchange inner, CrashSwitch crash) : IExchange
{
    public string Name => inner.Name;

    public string QuoteAsset => inner.QuoteAsset;

    public TimeSpan AcceptanceWindow => inner.AcceptanceWindow;

    public bool KeepsNoOrders => inner.KeepsNoOrders;

    public Task<IReadOnlyDictionary<string, SymbolRules>> GetSymbolRulesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken) =>
        crash.Step(() => inner.GetSymbolRulesAsync(assets, cancellationToken));

    public Task<Holdings> GetBalancesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken) =>
        crash.Step(() => inner.GetBalancesAsync(assets, cancellationToken));

    public Task<string?> GetAccountAsync(CancellationToken cancellationToken) => crash.Step(() => inner.GetAccountAsync(cancellationToken));

    public Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken) => crash.Step(() => inner.GetTimeAsync(cancellationToken));

    public Task<OrderReport> PlaceMarketOrderAsync(MarketOrder order, CancellationToken cancellationToken) =>
        crash.Step(() => inner.PlaceMarketOrderAsync(order, cancellationToken));

    public Task<OrderReport?> FindOrderAsync(string asset, string clientOrderId, CancellationToken cancellationToken) =>
        crash.Step(() => inner.FindOrderAsync(asset, clientOrderId, cancellationToken));
}
