using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Execution;
using Prometheus;

namespace CryptoIndex.Operator.Funds;

/// <summary>
/// Per-fund Prometheus metrics. The fund's namespace is the label <c>fund_namespace</c>, never <c>namespace</c>, which
/// Prometheus' Kubernetes discovery sets to the operator's own namespace and would overwrite.
/// </summary>
public sealed class FundMetrics
{
    private static readonly string[] Fund = ["fund_namespace", "fund"];
    private static readonly string[] Asset = ["fund_namespace", "fund", "symbol"];

    public FundMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        Nav = factory.CreateGauge("cryptoindex_fund_nav", "Net asset value in the quote currency.", Fund);
        Cash = factory.CreateGauge("cryptoindex_fund_cash", "Cash in the quote currency.", Fund);
        TotalDrift = factory.CreateGauge("cryptoindex_fund_total_drift", "Half the sum of absolute drifts (assets and cash), as a fraction.", Fund);
        Ready = factory.CreateGauge("cryptoindex_fund_ready", "1 when the fund's Ready condition is True.", Fund);
        Trading = factory.CreateGauge("cryptoindex_fund_trading", "1 when the fund may trade: 0 in dry run (spec.dryRun), suspended (spec.suspend) or with an invalid spec.", Fund);
        Suspended = factory.CreateGauge("cryptoindex_fund_suspended", "1 when the fund is suspended on purpose (spec.suspend), so that it is not alerted on as stalled.", Fund);
        RebalanceThreshold = factory.CreateGauge("cryptoindex_fund_rebalance_threshold", "The fund's spec.rebalance.threshold: per-asset drift, as a fraction, beyond which it rebalances.", Fund);
        MinInterval = factory.CreateGauge("cryptoindex_fund_rebalance_min_interval_seconds", "The fund's spec.rebalance.minInterval: it does not rebalance again sooner (unless its constituents changed).", Fund);
        LastRebalance = factory.CreateGauge("cryptoindex_fund_last_rebalance_timestamp_seconds", "When the last rebalance finished (Unix seconds).", Fund);
        RebalanceInProgress = factory.CreateGauge("cryptoindex_fund_rebalance_in_progress", "1 while a rebalance is recorded and not finished (status.rebalanceInProgress), paused ones included.", Fund);
        OrdersAwaitingAnswer = factory.CreateGauge("cryptoindex_fund_orders_awaiting_answer", "Orders of the rebalance in progress sent to the exchange whose outcome is not known yet (looked up until it is).", Fund);
        TargetWeight = factory.CreateGauge("cryptoindex_fund_target_weight", "Target weight of an asset, as a fraction of NAV.", Asset);
        CurrentWeight = factory.CreateGauge("cryptoindex_fund_current_weight", "Current weight of an asset, as a fraction of NAV.", Asset);
        Drift = factory.CreateGauge("cryptoindex_fund_drift", "Current minus target weight of an asset, as a fraction.", Asset);
        Rebalances = factory.CreateCounter("cryptoindex_fund_rebalances_total", "Rebalances by outcome (completed, failed).", ["fund_namespace", "fund", "outcome"]);
        Trades = factory.CreateCounter("cryptoindex_fund_trades_total", "Orders of finished rebalances by side (buy, sell) and final state (completed, failed, skipped).", ["fund_namespace", "fund", "side", "status"]);
        Fees = factory.CreateCounter("cryptoindex_fund_fees_total", "Commissions the fund paid, valued in the quote currency (not those the account paid in another asset, e.g. BNB).", Fund);
    }

    public Gauge Nav { get; }

    public Gauge Cash { get; }

    public Gauge TotalDrift { get; }

    public Gauge Ready { get; }

    public Gauge Trading { get; }

    public Gauge LastRebalance { get; }

    public Gauge RebalanceInProgress { get; }

    public Gauge OrdersAwaitingAnswer { get; }

    public Gauge RebalanceThreshold { get; }

    public Gauge MinInterval { get; }

    public Gauge Suspended { get; }

    public Gauge TargetWeight { get; }

    public Gauge CurrentWeight { get; }

    public Gauge Drift { get; }

    public Counter Rebalances { get; }

    public Counter Trades { get; }

    public Counter Fees { get; }

    /// <summary>The fund's valuation; <paramref name="ready"/> null leaves the Ready gauge as it is (books written without the condition).</summary>
    public void Observe(string ns, string fund, PortfolioValuation valuation, bool? ready)
    {
        ArgumentNullException.ThrowIfNull(valuation);
        Nav.WithLabels(ns, fund).Set((double)valuation.Nav);
        Cash.WithLabels(ns, fund).Set((double)valuation.Cash);
        TotalDrift.WithLabels(ns, fund).Set((double)valuation.TotalDrift);
        if (ready is { } isReady)
        {
            Ready.WithLabels(ns, fund).Set(isReady ? 1 : 0);
        }

        foreach (var position in valuation.Positions)
        {
            TargetWeight.WithLabels(ns, fund, position.Symbol).Set((double)position.TargetWeight);
            CurrentWeight.WithLabels(ns, fund, position.Symbol).Set((double)position.CurrentWeight);
            Drift.WithLabels(ns, fund, position.Symbol).Set((double)position.Drift);
        }

        // An asset the fund no longer holds or targets (a removed constituent, sold) keeps no series: its last drift
        // would stay exported for ever and fire the drift alert for a holding that does not exist. The symbols it had
        // series for are remembered per fund: scanning every series of the three gauges instead cost each reconcile
        // time in proportion to all funds' assets (a tenth of a refresh's CPU at 250 funds, more at 1,000).
        var current = valuation.Positions.Select(p => p.Symbol).ToHashSet(StringComparer.Ordinal);
        var key = (ns, fund);
        if (weighted.TryGetValue(key, out var before))
        {
            foreach (var symbol in before.Where(s => !current.Contains(s)))
            {
                foreach (var gauge in new[] { TargetWeight, CurrentWeight, Drift })
                {
                    gauge.RemoveLabelled(ns, fund, symbol);
                }
            }
        }

        weighted[key] = current;
    }

    /// <summary>
    /// The symbols each fund has <see cref="TargetWeight"/>, <see cref="CurrentWeight"/> and <see cref="Drift"/> series
    /// for; only <see cref="Observe"/> sets them (the operator has one instance), and <see cref="Forget"/> drops them.
    /// A fund is reconciled by one worker at a time, so its entry never changes under it.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Namespace, string Fund), HashSet<string>> weighted = new();

    /// <summary>
    /// Whether the fund may trade, so that alerts about rebalances that did not happen skip dry runs and suspended funds,
    /// and whether it is suspended on purpose, so that the stalled alert skips it.
    /// </summary>
    public void SetTrading(string ns, string fund, bool trading, bool suspended = false)
    {
        Trading.WithLabels(ns, fund).Set(trading ? 1 : 0);
        Suspended.WithLabels(ns, fund).Set(suspended ? 1 : 0);
    }

    /// <summary>
    /// The fund's own rebalance rules, so that the drift alert judges a fund by its threshold and minInterval, not by
    /// one threshold for all funds (a fund with a wider band, or a longer minInterval, is healthy while it waits).
    /// </summary>
    public void SetRules(string ns, string fund, RebalancePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        RebalanceThreshold.WithLabels(ns, fund).Set((double)policy.AssetThreshold);
        MinInterval.WithLabels(ns, fund).Set((policy.MinInterval ?? TimeSpan.Zero).TotalSeconds);
    }

    /// <summary>The Ready gauge alone: set on every status write, so a stalled or invalid fund reads 0 too.</summary>
    public void SetReady(string ns, string fund, bool ready) => Ready.WithLabels(ns, fund).Set(ready ? 1 : 0);

    public void Completed(string ns, string fund, RebalanceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Rebalances.WithLabels(ns, fund, record.Legs.Any(l => l.State == LegState.Failed) ? "failed" : "completed").Inc();
        foreach (var leg in record.Legs)
        {
            // Label values in lower case, as every other label here and cryptoindex_exchange_orders_total's side.
            Trades.WithLabels(ns, fund, leg.Side.ToString().ToLowerInvariant(), leg.State.ToString().ToLowerInvariant()).Inc();
        }

        Fees.WithLabels(ns, fund).Inc((double)record.Legs.SelectMany(l => l.Fills).Sum(f => f.FeeValue));
        if (record.FinishedAt is { } finished)
        {
            SetLastRebalance(ns, fund, finished);
        }
    }

    /// <summary>
    /// When the fund's last rebalance finished, from its status: a new process (a restart, a new leader) reports it at
    /// the fund's first reconcile, not only after the next rebalance, which may be a month away.
    /// </summary>
    public void SetLastRebalance(string ns, string fund, DateTimeOffset finished) =>
        LastRebalance.WithLabels(ns, fund).Set(finished.ToUnixTimeSeconds());

    /// <summary>
    /// Whether a rebalance is in progress and how many of its orders sent await an answer, from the fund's record (null:
    /// none yet). Set at every reconcile from the status, so a new process reports a rebalance it did not start.
    /// </summary>
    public void SetRebalance(string ns, string fund, RebalanceRecord? record)
    {
        var open = record is { Phase: not RebalancePhase.Done };
        RebalanceInProgress.WithLabels(ns, fund).Set(open ? 1 : 0);
        OrdersAwaitingAnswer.WithLabels(ns, fund).Set(open ? record!.Legs.Count(l => l.State == LegState.Sent) : 0);
    }

    private static List<string[]> OfFund(IEnumerable<string[]> labelSets, string ns, string fund) =>
        labelSets.Where(l => l.Length >= 2 && l[0] == ns && l[1] == fund).ToList();

    /// <summary>
    /// Drops every fund's series: a replica that lost leadership stops reporting funds it no longer reconciles, so its
    /// stale values (a Ready of 1, an old NAV) never mask the new leader's.
    /// </summary>
    public void ForgetAll()
    {
        foreach (var (ns, fund) in Nav.GetAllLabelValues().Concat(Ready.GetAllLabelValues()).Concat(Rebalances.GetAllLabelValues())
                     .Where(l => l.Length >= 2).Select(l => (l[0], l[1])).Distinct().ToList())
        {
            Forget(ns, fund);
        }
    }

    /// <summary>Drops every series of a deleted fund, so dashboards do not show it forever.</summary>
    public void Forget(string ns, string fund)
    {
        weighted.TryRemove((ns, fund), out _);
        foreach (var gauge in new[] { Nav, Cash, TotalDrift, Ready, Trading, Suspended, LastRebalance, RebalanceInProgress, OrdersAwaitingAnswer, RebalanceThreshold, MinInterval })
        {
            gauge.RemoveLabelled(ns, fund);
        }

        foreach (var gauge in new[] { TargetWeight, CurrentWeight, Drift })
        {
            foreach (var labels in OfFund(gauge.GetAllLabelValues(), ns, fund))
            {
                gauge.RemoveLabelled(labels);
            }
        }

        foreach (var counter in new[] { Rebalances, Trades, Fees })
        {
            foreach (var labels in OfFund(counter.GetAllLabelValues(), ns, fund))
            {
                counter.RemoveLabelled(labels);
            }
        }
    }
}
