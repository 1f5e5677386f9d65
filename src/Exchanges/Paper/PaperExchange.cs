using System.Globalization;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;

namespace CryptoIndex.Exchanges.Paper;

/// <summary>
/// Simulated exchange. It keeps no state: a fill is computed from the current price, slippage and fee rate, and
/// becomes real only when the executor records it in the fund's status, in the same write. So an order whose record
/// was lost in a crash never happened, <see cref="FindOrderAsync"/> always answers "none", and resending is safe; for
/// the same reason the executor stores a phase's orders together (<see cref="KeepsNoOrders"/>).
/// Balances are whatever the fund's ledger says (<paramref name="balances"/>); a buy the cash cannot pay for and a
/// sell of more than is held are refused as Binance would.
/// </summary>
/// <param name="priceOf">The current price of an asset in the quote currency.</param>
/// <param name="balances">The fund's holdings as recorded (the status ledger, with the fills staged in the phase so far).</param>
/// <param name="options">Fee rate, slippage, quote currency and symbol rules.</param>
/// <param name="time">The clock orders are stamped with.</param>
public sealed class PaperExchange(
    Func<string, decimal> priceOf,
    Func<CancellationToken, Task<Holdings>> balances,
    PaperOptions options,
    TimeProvider time) : IExchange
{
    private readonly Func<string, decimal> priceOf = priceOf ?? throw new ArgumentNullException(nameof(priceOf));
    private readonly Func<CancellationToken, Task<Holdings>> balances = balances ?? throw new ArgumentNullException(nameof(balances));
    private readonly PaperOptions options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly TimeProvider time = time ?? throw new ArgumentNullException(nameof(time));

    public string Name => "paper";

    public string QuoteAsset => options.QuoteAsset;

    public TimeSpan AcceptanceWindow => TimeSpan.Zero;

    public bool KeepsNoOrders => true;

    public Task<IReadOnlyDictionary<string, SymbolRules>> GetSymbolRulesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var rules = new Dictionary<string, SymbolRules>(StringComparer.Ordinal);
        foreach (var asset in assets)
        {
            rules[asset] = options.SymbolRules is { } known && known.TryGetValue(asset, out var found) ? found : SymbolRules.Unrestricted;
        }

        return Task.FromResult<IReadOnlyDictionary<string, SymbolRules>>(rules);
    }

    public Task<Holdings> GetBalancesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken) => balances(cancellationToken);

    public Task<string?> GetAccountAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(Name);

    public Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken) => Task.FromResult(time.GetUtcNow());

    public async Task<OrderReport> PlaceMarketOrderAsync(MarketOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var price = priceOf(order.Asset);
        if (price <= 0m || order.Quantity <= 0m)
        {
            throw new ExchangeException(
                ExchangeErrorKind.Rejected, $"paper: cannot fill {order.Side} {Text(order.Quantity)} {order.Asset} at price {Text(price)}");
        }

        var slip = options.SlippageBps / 10_000m;
        var fillPrice = order.Side == OrderSide.Buy ? price * (1m + slip) : price * (1m - slip);
        var fill = FeeModel.ExpectedFill(order.Asset, order.Side, order.Quantity, fillPrice, options.FeeRate);
        var held = await balances(cancellationToken).ConfigureAwait(false);
        if (!FundLedger.Apply(held, fill).IsSuccess)
        {
            throw new ExchangeException(
                ExchangeErrorKind.InsufficientBalance,
                $"paper: insufficient balance for {order.Side} {Text(order.Quantity)} {order.Asset} ({Text(fill.Notional)} {QuoteAsset} at {Text(fillPrice)})");
        }

        return new OrderReport(order.ClientOrderId, order.Asset, order.Side, OrderStatus.Filled, order.Quantity, [fill], ExchangeOrderId: null);
    }

    public Task<OrderReport?> FindOrderAsync(string asset, string clientOrderId, CancellationToken cancellationToken) =>
        Task.FromResult<OrderReport?>(null);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
