using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges.Tests.Support;

/// <summary>An exchange that passes every call to <paramref name="inner"/>: tests override the one call they change.</summary>
public abstract class ForwardingExchange(IExchange inner) : IExchange
{
    protected IExchange Inner { get; } = inner;

    public string Name => Inner.Name;

    public string QuoteAsset => Inner.QuoteAsset;

    public TimeSpan AcceptanceWindow => Inner.AcceptanceWindow;

    public bool KeepsNoOrders => Inner.KeepsNoOrders;

    public virtual Task<IReadOnlyDictionary<string, SymbolRules>> GetSymbolRulesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken) =>
        Inner.GetSymbolRulesAsync(assets, cancellationToken);

    public virtual Task<Holdings> GetBalancesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken) =>
        Inner.GetBalancesAsync(assets, cancellationToken);

    public virtual Task<string?> GetAccountAsync(CancellationToken cancellationToken) => Inner.GetAccountAsync(cancellationToken);

    public virtual Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken) => Inner.GetTimeAsync(cancellationToken);

    public virtual Task<OrderReport> PlaceMarketOrderAsync(MarketOrder order, CancellationToken cancellationToken) =>
        Inner.PlaceMarketOrderAsync(order, cancellationToken);

    public virtual Task<OrderReport?> FindOrderAsync(string asset, string clientOrderId, CancellationToken cancellationToken) =>
        Inner.FindOrderAsync(asset, clientOrderId, cancellationToken);
}
