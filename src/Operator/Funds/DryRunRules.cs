using System.Collections.Concurrent;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Paper;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.ExchangeAccounts;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// The symbol rules a dry run plans with: the ones a real rebalance of the fund would get (<see cref="RebalanceRules"/>,
/// as the executor asks), from the same kind of exchange, and the same buy headroom. Paper's rules come from a
/// <see cref="PaperExchange"/> as in a real run. Binance's come from its public exchangeInfo (no API key): the fund's
/// Secret is not read, nothing is signed and no order can be placed; the public client's cache (an hour) is shared by
/// every fund on the venue. When they cannot be read, the plan is made without them and says why
/// (<see cref="Result.Unavailable"/>); the venue is not asked again before the exchange's Retry-After, or
/// <see cref="FailureBackoff"/> (<see cref="MarketClosedBackoff"/> for a market not open), so many dry-run funds do not
/// hammer an exchange that is down; each fund asks again at a refresh after that.
/// </summary>
internal sealed partial class DryRunRules(BinanceAccounts binance, TimeProvider time, ILogger logger)
{
    /// <summary>How long a venue whose exchangeInfo failed is not asked again (without a Retry-After).</summary>
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromMinutes(1);

    /// <summary>As the executor waits for a market not open for trading (<see cref="ExecutorOptions.MarketClosedRetry"/>).</summary>
    public static readonly TimeSpan MarketClosedBackoff = new ExecutorOptions().MarketClosedRetry;

    private readonly ConcurrentDictionary<string, (DateTimeOffset NotBefore, string Why)> failed = new(StringComparer.Ordinal);

    /// <summary>
    /// The rules (untradable assets included), the headroom the real run fits its buys with, and, when the exchange's
    /// rules could not be read, why (the rules are then the untradable assets' only).
    /// </summary>
    public sealed record Result(IReadOnlyDictionary<string, SymbolRules> Rules, decimal BuyHeadroom, string? Unavailable);

    public async Task<Result> ForAsync(FundDefinition definition, string quoteCurrency, Holdings holdings, FundEvaluation evaluation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(evaluation);
        var untradable = evaluation.Untradable ?? new Dictionary<string, string>();
        var targets = evaluation.Targets!.Keys;
        if (definition.Exchange.Kind == ExchangeKind.Paper)
        {
            // What the reconciler gives a real paper rebalance (its rules do not depend on prices or balances).
            var paper = new PaperExchange(_ => 0m, _ => Task.FromResult(holdings), new PaperOptions(FeeRate: definition.Planning.FeeRate, QuoteAsset: quoteCurrency), time);
            return new Result(await RebalanceRules.GetAsync(paper, targets, holdings, untradable, null, cancellationToken).ConfigureAwait(false), 0m, null);
        }

        var withoutRules = untradable.ToDictionary(u => u.Key, u => SymbolRules.NotTradable(u.Value), StringComparer.Ordinal);
        var venue = definition.Exchange.Testnet ? "binance testnet" : "binance";
        var now = time.GetUtcNow();
        if (failed.TryGetValue(venue, out var last) && now < last.NotBefore)
        {
            return new Result(withoutRules, FundReconciler.BinanceBuyHeadroom, last.Why);
        }

        try
        {
            var exchange = binance.PublicData(definition.Exchange.Testnet, FundReconciler.BinanceQuoteAsset);
            var rules = await RebalanceRules.GetAsync(exchange, targets, holdings, untradable, null, cancellationToken).ConfigureAwait(false);
            if (failed.TryRemove(venue, out _))
            {
                LogRecovered(venue);
            }

            return new Result(rules, FundReconciler.BinanceBuyHeadroom, null);
        }
        catch (ExchangeDisabledException e)
        {
            return new Result(withoutRules, FundReconciler.BinanceBuyHeadroom, e.Message);
        }
        catch (ExchangeException e)
        {
            var wait = e.RetryAfter ?? (e.Kind == ExchangeErrorKind.Rejected ? MarketClosedBackoff : FailureBackoff);
            if (!failed.ContainsKey(venue))
            {
                LogUnavailable(venue, e.Message);
            }

            failed[venue] = (now + wait, e.Message);
            return new Result(withoutRules, FundReconciler.BinanceBuyHeadroom, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dry runs on {Venue} are planned without the exchange's symbol rules until they can be read: {Why}")]
    private partial void LogUnavailable(string venue, string why);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dry runs on {Venue} are planned with the exchange's symbol rules again")]
    private partial void LogRecovered(string venue);
}
