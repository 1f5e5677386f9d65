using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Engine.Weights;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.Funds;

/// <summary>What evaluating a fund found, and the status it reports; <see cref="Decision"/> is null when it cannot trade.</summary>
public sealed record FundEvaluation(
    IndexFundStatus Status,
    RebalanceDecision? Decision,
    PortfolioValuation? Valuation,
    IReadOnlyDictionary<string, decimal>? Targets,
    string Reason,
    string Message,
    IReadOnlyDictionary<string, string>? Untradable = null);

/// <summary>
/// Steps 1–4 of a fund's reconcile, without I/O: validate the spec, check the prices, value the holdings against the
/// targets, decide. The result is the status to write (allocations, NAV, drift, conditions) and, when the fund may
/// trade, the decision. The reconciler adds planning, execution and the writes.
/// <list type="bullet">
/// <item>Invalid spec → Ready=False and Stalled=True, reason InvalidSpec, every field named; no decision.</item>
/// <item>Stale or missing prices → Ready=False, reason PricesStale, the assets named; no decision.</item>
/// <item>Targets that cannot be computed (e.g. no market cap from a prices-only provider) → Ready=False, reason
/// TargetsUnavailable; no decision.</item>
/// <item>Otherwise → allocations and drift; Ready=True with reason WithinThresholds, or Ready=False with reason
/// RebalanceNeeded (or RebalanceHeldBack / Suspended) and the decision's reasons.</item>
/// </list>
/// </summary>
public static class FundEvaluator
{
    public const string PricesStale = "PricesStale";
    public const string TargetsUnavailable = "TargetsUnavailable";
    public const string WithinThresholds = "WithinThresholds";
    public const string RebalanceNeeded = "RebalanceNeeded";
    public const string RebalanceHeldBack = "RebalanceHeldBack";
    public const string Suspended = "Suspended";

    public static FundEvaluation Evaluate(IndexFund fund, MarketSnapshot snapshot, Holdings holdings, RebalanceHistory history, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fund);
        ArgumentNullException.ThrowIfNull(snapshot);
        var generation = fund.Metadata.Generation ?? 0;
        var previous = fund.Status?.Conditions;
        var status = Copy(fund.Status);
        status.ObservedGeneration = generation;

        var (definition, errors) = SpecValidator.Validate(fund.Spec);
        if (definition is null)
        {
            status.Conditions = FundConditions.InvalidSpec(errors, generation, now, previous);
            return new FundEvaluation(status, null, null, null, FundConditions.InvalidSpecReason, status.Conditions[0].Message!);
        }

        var assets = definition.Constituents.Select(c => new AssetRef(c.Symbol, c.CoinGeckoId, c.BinancePair)).ToList();
        var stale = snapshot.StaleAssets(assets, definition.Prices.MaxAge, now);
        if (stale.Count > 0)
        {
            var message = "prices stale: " + string.Join(", ", stale.Select(s => s.Describe(definition.Prices.MaxAge)));
            return NotReady(status, previous, PricesStale, message, generation, now);
        }

        var quotes = assets.ToDictionary(a => a.Symbol, a => snapshot.Quote(a)!, StringComparer.Ordinal);
        var refs = assets.ToDictionary(a => a.Symbol, StringComparer.Ordinal);
        var targets = TargetWeights.Compute(definition.EngineConstituents(s => quotes[s].MarketCap), definition.Weighting);
        if (!targets.IsSuccess)
        {
            return NotReady(status, previous, TargetsUnavailable, $"spec.{targets.Error.Field}: {targets.Error.Message}", generation, now);
        }

        var weights = targets.Value.BySymbol();
        var prices = quotes.ToDictionary(q => q.Key, q => q.Value.Price, StringComparer.Ordinal);
        var outsideSources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var held in holdings.Quantities.Keys.Where(s => !prices.ContainsKey(s)))
        {
            // An asset that left the index (often dust below the lot step after its sale) is valued at the latest price
            // known. Without one the fund could not be valued at all, and so never rebalance again.
            refs[held] = HeldRef(held, fund.Status);
            if (LatestPrice(refs[held], snapshot, fund.Status) is { } latest)
            {
                prices[held] = latest.Price;
                outsideSources[held] = latest.Source;
            }
        }

        // A last-known or old price values such an asset, but it is not traded (sold, or booked on paper) at it: the rest
        // of the fund rebalances, and the asset is sold once a current price comes (a delisted coin may never get one).
        var untradable = outsideSources.Keys
            .Where(s => snapshot.Quote(refs[s]) is not { } quote || now - quote.ObservedAt > definition.Prices.MaxAge)
            .ToDictionary(
                s => s,
                s => $"no current price (held outside the index; valued at its last known price {Engine.Format.Number(prices[s])}, {outsideSources[s]})",
                StringComparer.Ordinal);

        var valuation = Valuation.Evaluate(holdings, prices, weights, definition.Planning.CashBuffer);
        if (!valuation.IsSuccess)
        {
            return NotReady(status, previous, TargetsUnavailable, $"{valuation.Error.Field}: {valuation.Error.Message}", generation, now);
        }

        // Whether to rebalance is judged on what can trade: an asset held as it is (no current price) would otherwise
        // show as drift at every refresh, and the planner leaves it out the same way.
        var tradable = holdings.Without(untradable.Keys);
        var judged = untradable.Count == 0 ? valuation : Valuation.Evaluate(tradable, prices, weights, definition.Planning.CashBuffer);
        var decision = RebalanceDecider.Decide(judged.IsSuccess ? judged.Value : valuation.Value, definition.Policy, history, now).Value;
        WriteAllocations(status, valuation.Value, quotes, outsideSources, refs);
        status.Capital ??= StatusText.Money(definition.Capital); // the ledger opens now (or opened before this was recorded)
        var (ready, reason, text) = definition.Suspend
            ? ("False", Suspended, "suspended: " + decision.Summary)
            : decision.ShouldRebalance ? ("False", RebalanceNeeded, decision.Summary)
            : decision.HeldBackBy is not null && decision.Reasons.Count > 0 ? ("True", RebalanceHeldBack, decision.Summary)
            : ("True", WithinThresholds, decision.Summary);
        status.Conditions = [FundConditions.Set(previous, FundConditions.Ready, ready, reason, text, generation, now)];
        return new FundEvaluation(status, definition.Suspend ? null : decision, valuation.Value, weights, reason, text, untradable.Count > 0 ? untradable : null);
    }

    /// <summary>
    /// Values what a fund with an invalid spec holds, so that its NAV, allocations and metrics do not freeze while
    /// someone fixes the spec: the holdings of its last rebalance, at the snapshot's prices (an asset the snapshot
    /// lacks keeps its last status price), against that rebalance's targets, which the allocations then show.
    /// Writes NAV, cash, drift and allocations into <paramref name="status"/>; null (and nothing written) when the
    /// books cannot be valued.
    /// </summary>
    public static PortfolioValuation? Revalue(
        IndexFundStatus status, Holdings holdings, IReadOnlyDictionary<string, decimal> targets, decimal cashBuffer, MarketSnapshot snapshot, IReadOnlyList<AssetRef> assets)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(holdings);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(assets);
        var quotes = new Dictionary<string, PriceQuote>(StringComparer.Ordinal);
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var lastKnown = new Dictionary<string, string>(StringComparer.Ordinal);
        var refs = new Dictionary<string, AssetRef>(StringComparer.Ordinal);
        foreach (var asset in assets)
        {
            var symbol = asset.Symbol;
            refs[symbol] = asset;
            if (LatestPrice(asset, snapshot, status) is not { } latest)
            {
                continue;
            }

            prices[symbol] = latest.Price;
            if (latest.Quote is { } quote)
            {
                quotes[symbol] = quote;
            }
            else
            {
                lastKnown[symbol] = latest.Source;
            }
        }

        var valuation = Valuation.Evaluate(holdings, prices, targets, cashBuffer);
        if (!valuation.IsSuccess)
        {
            return null;
        }

        WriteAllocations(status, valuation.Value, quotes, lastKnown, refs);
        return valuation.Value;
    }

    /// <summary>
    /// The latest price known for an asset: its quote in the snapshot, found by exactly the reference this fund asked
    /// for (another fund's entry with the same symbol may name another coin: the snapshot is shared by every namespace),
    /// else the price in the last status, marked "(last known)"; null when there is neither.
    /// </summary>
    private static (decimal Price, string Source, PriceQuote? Quote)? LatestPrice(AssetRef asset, MarketSnapshot snapshot, IndexFundStatus? status)
    {
        if (snapshot.Quote(asset) is { } quote)
        {
            return (quote.Price, quote.Source, quote);
        }

        return status?.Allocations?.FirstOrDefault(a => a.Symbol == asset.Symbol) is { Price: { } last } allocation
            && StatusText.TryRead(last, out var price) && price > 0m
            ? (price, LastKnownSource(allocation.PriceSource), null)
            : null;
    }

    private static FundEvaluation NotReady(IndexFundStatus status, IReadOnlyList<FundCondition>? previous, string reason, string message, long generation, DateTimeOffset now)
    {
        status.Conditions = [FundConditions.Set(previous, FundConditions.Ready, "False", reason, message, generation, now)];
        return new FundEvaluation(status, null, null, null, reason, message);
    }

    private static void WriteAllocations(
        IndexFundStatus status,
        PortfolioValuation valuation,
        Dictionary<string, PriceQuote> quotes,
        Dictionary<string, string> outsideSources,
        Dictionary<string, AssetRef> refs)
    {
        ValuationStatus.Write(status, valuation, symbol =>
        {
            var quote = quotes.GetValueOrDefault(symbol);
            var ids = refs.GetValueOrDefault(symbol);
            return new PriceProvenance(
                quote?.MarketCap is { } cap ? StatusText.Money(cap) : null,
                quote?.MarketCapOrigin.ToString(),
                quote?.Source ?? outsideSources.GetValueOrDefault(symbol),
                ids?.CoinGeckoId,
                ids?.BinancePair);
        });
        status.LastPriceUpdate = quotes.Count > 0 ? StatusText.Time(quotes.Values.Min(q => q.ObservedAt)) : status.LastPriceUpdate;
    }

    /// <summary>
    /// What a fund's prices are fetched for: its constituents, and every asset it still holds outside them (an asset that
    /// left the index is valued and sold at a current price), by the reference it was priced by (<see cref="HeldRef"/>).
    /// </summary>
    public static IReadOnlyList<AssetRef> AssetsToPrice(FundDefinition definition, Holdings holdings, IndexFundStatus? status)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(holdings);
        var assets = definition.Constituents.Select(c => new AssetRef(c.Symbol, c.CoinGeckoId, c.BinancePair)).ToList();
        var constituents = assets.Select(a => a.Symbol).ToHashSet(StringComparer.Ordinal);
        assets.AddRange(holdings.Quantities.Where(h => h.Value != 0m && !constituents.Contains(h.Key)).Select(h => HeldRef(h.Key, status)));
        return assets;
    }

    /// <summary>
    /// How an asset held outside the index is priced: by the ids its allocation row carries (its constituent's, kept
    /// from when it was one: a coin only CoinGecko lists is still priced by its id), else by symbol alone (CoinGecko
    /// through its Binance fallback). Never by another fund's entry for the symbol: the status is the operator's own.
    /// </summary>
    public static AssetRef HeldRef(string symbol, IndexFundStatus? status) =>
        status?.Allocations?.FirstOrDefault(a => a.Symbol == symbol) is { } row && (row.CoinGeckoId is not null || row.BinancePair is not null)
            ? new AssetRef(symbol, row.CoinGeckoId, row.BinancePair)
            : new AssetRef(symbol);

    /// <summary>The price source shown for a price carried over from the last status.</summary>
    public static string LastKnownSource(string? previous) =>
        previous is null or "" ? "last known" : previous.EndsWith(" (last known)", StringComparison.Ordinal) ? previous : previous + " (last known)";

    /// <summary>The holdings a status records: cash and the quantity of every allocation (the paper ledger).</summary>
    public static Holdings HoldingsFrom(IndexFundStatus? status, decimal capital)
    {
        if (status?.Cash is null || !StatusText.TryRead(status.Cash, out var cash))
        {
            return Holdings.CashOnly(capital);
        }

        var quantities = (status.Allocations ?? [])
            .Select(a => (a.Symbol, Quantity: StatusText.TryRead(a.Quantity, out var q) ? q : 0m))
            .Where(a => a.Quantity != 0m)
            .ToArray();
        return Holdings.Of(cash, quantities);
    }

    private static IndexFundStatus Copy(IndexFundStatus? status) => status is null
        ? new IndexFundStatus()
        : System.Text.Json.JsonSerializer.Deserialize<IndexFundStatus>(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status, Crd.ApiJson.Options), Crd.ApiJson.Options)!;
}
