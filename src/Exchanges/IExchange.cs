using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges;

/// <summary>
/// A spot exchange account trading assets against one quote currency. Assets are named as the Engine names them
/// (<c>BTC</c>); the exchange maps them to its pairs (<c>BTCUSDT</c>). Failures are <see cref="ExchangeException"/>s
/// whose <see cref="ExchangeException.Kind"/> says whether the order may have executed.
/// </summary>
public interface IExchange
{
    /// <summary>Short lowercase name for metrics and status (<c>paper</c>, <c>binance</c>).</summary>
    string Name { get; }

    /// <summary>The currency the fund's cash is held in (<c>USDT</c>).</summary>
    string QuoteAsset { get; }

    /// <summary>
    /// How long after its timestamp an order request can still be accepted. A lookup that finds no order is final
    /// only once the exchange clock has passed the last attempt's timestamp plus this window; before that the request
    /// could still be in flight. Zero for an exchange without transport (paper).
    /// </summary>
    TimeSpan AcceptanceWindow { get; }

    /// <summary>
    /// True when the exchange keeps no orders or balances of its own (paper): an order's fill exists only once the
    /// journal records it, so one lost before that never happened, and resending it is safe. The executor then records
    /// a phase's orders with the save that ends the phase, not each one before and after it is sent.
    /// </summary>
    bool KeepsNoOrders { get; }

    /// <summary>Lot step, minimum quantity and minimum notional per asset, as the planner needs them.</summary>
    Task<IReadOnlyDictionary<string, SymbolRules>> GetSymbolRulesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken);

    /// <summary>Cash in the quote currency and the quantity of each of <paramref name="assets"/> held.</summary>
    Task<Holdings> GetBalancesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken);

    /// <summary>
    /// The account orders go to, the same across key rotations (Binance: the account's <c>uid</c>), or null when the
    /// exchange does not say. A rebalance records it and sends nothing on another account: looked up there, its
    /// orders are not found, and resent there, they would trade a second time.
    /// </summary>
    Task<string?> GetAccountAsync(CancellationToken cancellationToken);

    /// <summary>The exchange's clock (local time corrected by the measured server offset).</summary>
    Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends a market order. Never retried internally: a caller that gets an error with
    /// <see cref="ExchangeException.MayHaveExecuted"/> must look the order up by its client order id before resending.
    /// </summary>
    Task<OrderReport> PlaceMarketOrderAsync(MarketOrder order, CancellationToken cancellationToken);

    /// <summary>The order with this client order id, with its fills, or null when the exchange has none.</summary>
    Task<OrderReport?> FindOrderAsync(string asset, string clientOrderId, CancellationToken cancellationToken);
}
