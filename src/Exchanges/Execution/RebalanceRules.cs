using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges.Execution;

/// <summary>
/// The symbol rules a rebalance is planned with: the exchange's for every asset it may trade, and
/// <see cref="SymbolRules.NotTradable"/> for the assets the caller found untradable. The executor plans a rebalance with
/// these, and a dry run previews it with the same ones, so the preview shows what the real run would send.
/// </summary>
public static class RebalanceRules
{
    /// <summary>
    /// An asset held outside the index whose market the exchange refuses (delisted: Binance rejects the whole
    /// exchangeInfo request for one unknown symbol) gets <see cref="SymbolRules.MarketClosed"/> (and
    /// <paramref name="marketClosed"/> is told), so the rest of the fund still rebalances and its sell is reported as not
    /// sent; the index's own assets must all have a market, else the <see cref="ExchangeException"/> is thrown.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, SymbolRules>> GetAsync(
        IExchange exchange,
        IEnumerable<string> index,
        Holdings holdings,
        IReadOnlyDictionary<string, string>? untradable,
        Action<string, string>? marketClosed,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(holdings);
        untradable ??= new Dictionary<string, string>();
        var rules = new Dictionary<string, SymbolRules>(
            await ExchangeRulesAsync(exchange, index, holdings, untradable, marketClosed, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        foreach (var (asset, reason) in untradable)
        {
            rules[asset] = SymbolRules.NotTradable(reason);
        }

        return rules;
    }

    private static async Task<IReadOnlyDictionary<string, SymbolRules>> ExchangeRulesAsync(
        IExchange exchange, IEnumerable<string> index, Holdings holdings, IReadOnlyDictionary<string, string> untradable, Action<string, string>? marketClosed, CancellationToken cancellationToken)
    {
        var assets = index.Order(StringComparer.Ordinal).ToList();
        var outside = holdings.Quantities.Keys.Except(assets, StringComparer.Ordinal).Where(a => !untradable.ContainsKey(a)).Order(StringComparer.Ordinal).ToList();
        try
        {
            return await exchange.GetSymbolRulesAsync([.. assets, .. outside], cancellationToken).ConfigureAwait(false);
        }
        catch (ExchangeException e) when (e.Kind == ExchangeErrorKind.Rejected && outside.Count > 0)
        {
            var rules = new Dictionary<string, SymbolRules>(await exchange.GetSymbolRulesAsync(assets, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
            foreach (var asset in outside)
            {
                try
                {
                    rules[asset] = (await exchange.GetSymbolRulesAsync([asset], cancellationToken).ConfigureAwait(false))[asset];
                }
                catch (ExchangeException closed) when (closed.Kind == ExchangeErrorKind.Rejected)
                {
                    marketClosed?.Invoke(asset, closed.Message);
                    rules[asset] = SymbolRules.MarketClosed;
                }
            }

            return rules;
        }
    }
}
