using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using CryptoIndex.Operator.Api.Schema;

namespace CryptoIndex.Operator.Api;

[Description("What the fund holds and did, as last observed by the operator. Amounts are decimal strings.")]
public sealed class IndexFundStatus
{
    [Description("The metadata.generation this status describes.")]
    public long? ObservedGeneration { get; set; }

    [Description("Ready (always), Reconciling (while a rebalance runs) and Stalled (needs a human), following KEP-1623.")]
    [ListMap("type")]
    public List<FundCondition>? Conditions { get; set; }

    [Description("The value of the manifest's reconcile.cryptoindex.io/requestedAt annotation that was last acted on.")]
    public string? LastHandledReconcileAt { get; set; }

    [Description("Net asset value in the quote currency at the last prices.")]
    public string? Nav { get; set; }

    [Description("Cash in the quote currency.")]
    public string? Cash { get; set; }

    [Description("The capital the fund started from (spec.capital when its ledger was opened). From then on the ledger in status is the fund's money: a later change of spec.capital moves none, and is reported by a CapitalNotApplied Event.")]
    public string? Capital { get; set; }

    [Description("Cash as a share of NAV, e.g. \"2.4%\".")]
    public string? CashWeight { get; set; }

    [Description("The share of NAV kept in cash (spec.rebalance.cashBuffer); the assets' target weights add up to the rest.")]
    public string? CashTarget { get; set; }

    [Description("Half the sum of absolute drifts, assets and cash: the turnover needed to reach the targets, e.g. \"3.2%\".")]
    public string? TotalDrift { get; set; }

    [Description("Largest absolute drift of any asset, in percentage points, e.g. \"4.1pp\".")]
    public string? MaxDrift { get; set; }

    [Description("Per asset: price, market cap, target and current weight, drift, quantity and value.")]
    [ListMap("symbol")]
    public List<AllocationStatus>? Allocations { get; set; }

    [Description("When the prices used were observed (the oldest of them).")]
    [DateTimeFormat]
    public string? LastPriceUpdate { get; set; }

    [Description("When the last rebalance completed.")]
    [DateTimeFormat]
    public string? LastRebalanceTime { get; set; }

    [Description("Why the last rebalance happened.")]
    public string? LastRebalanceReason { get; set; }

    [Description("Sequence number of the last rebalance started; client order ids are derived from it.")]
    public long? RebalanceSequence { get; set; }

    [Description("The rebalance in progress, if any; a restarted operator resumes it from here.")]
    public RebalanceRecord? RebalanceInProgress { get; set; }

    [Description("Recent rebalances, newest first, at most spec.historyLimit.")]
    public List<RebalanceRecord>? Rebalances { get; set; }

    [Description("Recent trades, newest first, at most spec.historyLimit.")]
    public List<TradeRecord>? Trades { get; set; }

    [Description("The operator's durable record of the current or last rebalance (every order with its client order id and fills), from which a restarted operator resumes. Written by the operator; numbers are strings.")]
    [PreserveUnknownFields]
    public System.Text.Json.Nodes.JsonObject? Execution { get; set; }
}

[Description("A condition (KEP-1623).")]
public sealed class FundCondition
{
    [Description("Ready, Reconciling or Stalled.")]
    [Required] // a key of the conditions list-map: a real API server refuses a CRD whose map keys are optional
    public string Type { get; set; } = string.Empty;

    [Description("True, False or Unknown.")]
    public string Status { get; set; } = "Unknown";

    [Description("The metadata.generation the condition was set for.")]
    public long? ObservedGeneration { get; set; }

    [Description("When the status last changed.")]
    [DateTimeFormat]
    public string? LastTransitionTime { get; set; }

    [Description("A CamelCase reason, e.g. WithinThresholds, RebalanceNeeded, PricesStale or InvalidSpec (Ready), RebalanceInProgress or WaitingForExchange (Reconciling).")]
    public string? Reason { get; set; }

    [Description("A sentence with the details.")]
    public string? Message { get; set; }
}

[Description("One asset's allocation.")]
public sealed class AllocationStatus
{
    [Description("The asset's ticker.")]
    [Required] // the key of the allocations list-map (see FundCondition.Type)
    public string Symbol { get; set; } = string.Empty;

    [Description("Price in the quote currency used for this status.")]
    public string? Price { get; set; }

    [Description("Market cap in the quote currency used for the targets.")]
    public string? MarketCap { get; set; }

    [Description("Reported, Estimated (scaled from the last known, when the price source has none) or None.")]
    public string? MarketCapOrigin { get; set; }

    [Description("Where the price came from: coingecko, binance (its fallback, or the provider), file, or in the sandbox simulated or replay.")]
    public string? PriceSource { get; set; }

    [Description("Share of NAV the asset should have, after cap, floor and cash buffer, e.g. \"25%\".")]
    public string? TargetWeight { get; set; }

    [Description("Share of NAV the asset has at the current price.")]
    public string? CurrentWeight { get; set; }

    [Description("Current minus target weight, in percentage points, e.g. \"+1.5pp\".")]
    public string? Drift { get; set; }

    [Description("Quantity held.")]
    public string? Quantity { get; set; }

    [Description("The CoinGecko id the asset is priced by (its constituent's; kept while it is held after leaving the index, so it is priced and sold as before).")]
    public string? CoinGeckoId { get; set; }

    [Description("The Binance pair the asset is priced by, kept like coinGeckoId.")]
    public string? BinancePair { get; set; }

    [Description("Quantity times price, in the quote currency.")]
    public string? Value { get; set; }
}

[Description("A rebalance.")]
public sealed class RebalanceRecord
{
    [Description("Identifier of the rebalance, part of every client order id it sends.")]
    public string Id { get; set; } = string.Empty;

    [Description("Sequence number of the rebalance within the fund.")]
    public long Sequence { get; set; }

    [Description("When it started.")]
    [DateTimeFormat]
    public string? StartedAt { get; set; }

    [Description("When it ended, if it has.")]
    [DateTimeFormat]
    public string? CompletedAt { get; set; }

    [Description("Every reason that fired, with its numbers.")]
    public string? Reason { get; set; }

    [Description("Selling or Buying while it runs (the only phases of rebalanceInProgress); then Completed, or Failed when the exchange refused any of its orders or executed none of one (an order not sent is not a failure); DryRun for a dry run's plan (id dry-run).")]
    public string? Phase { get; set; }

    [Description("The account its orders go to (paper, or binance with its Secret and endpoint): a rebalance finishes where it started.")]
    public string? Exchange { get; set; }

    [Description("Traded notional in the quote currency.")]
    public string? Turnover { get; set; }

    [Description("Commissions the fund paid, valued in the quote currency. Commissions the account paid in another asset (BNB fee discount) are not included: they show per trade, with that feeAsset.")]
    public string? Fees { get; set; }

    [Description("Details, such as orders dropped below exchange minimums or why it failed.")]
    public string? Message { get; set; }
}

[Description("A trade.")]
public sealed class TradeRecord
{
    [Description("The client order id: the same on the exchange, so a trade is never sent twice.")]
    public string Id { get; set; } = string.Empty;

    [Description("The rebalance the trade belongs to.")]
    public string RebalanceId { get; set; } = string.Empty;

    [Description("When the trade was recorded or filled.")]
    [DateTimeFormat]
    public string? Time { get; set; }

    [Description("The asset traded.")]
    public string Symbol { get; set; } = string.Empty;

    [Description("Buy or Sell.")]
    public string Side { get; set; } = string.Empty;

    [Description("Quantity planned, or filled once completed.")]
    public string? Quantity { get; set; }

    [Description("Reference price when planned, average fill price once completed.")]
    public string? Price { get; set; }

    [Description("Commission charged, in feeAsset (one amount per asset, comma-separated, when an order paid in two).")]
    public string? Fee { get; set; }

    [Description("The asset the commission was paid in: the asset traded, quote, or another asset of the account (BNB), paid outside the fund and not in its fees.")]
    public string? FeeAsset { get; set; }

    [Description("Pending, Completed, Failed (refused, or nothing executed) or Skipped (not sent: no longer needed once the buys were resized, or below the exchange's minimums).")]
    public string Status { get; set; } = "Pending";

    [Description("Why it failed or was adjusted.")]
    public string? Message { get; set; }
}
