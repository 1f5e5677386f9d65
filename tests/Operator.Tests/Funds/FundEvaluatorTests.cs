using CryptoIndex.Engine.Decisions;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.MarketData;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Funds;

namespace CryptoIndex.Operator.Tests.Funds;

public sealed class FundEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly AssetRef Btc = new("BTC", "bitcoin", "BTCUSDT");
    private static readonly AssetRef Eth = new("ETH", "ethereum", "ETHUSDT");

    private static IndexFund Fund(string weighting = "Manual", bool suspend = false, string cashBuffer = "0%") => ManifestReader.Read($$"""
        apiVersion: cryptoindex.io/v1alpha1
        kind: IndexFund
        metadata: {name: sixty-forty, generation: 4}
        spec:
          capital: 10000
          weighting: {{weighting}}
          suspend: {{(suspend ? "true" : "false")}}
          constituents:
            - {symbol: BTC, coinGeckoId: bitcoin{{(weighting == "Manual" ? ", weight: 60%" : string.Empty)}}}
            - {symbol: ETH, coinGeckoId: ethereum{{(weighting == "Manual" ? ", weight: 40%" : string.Empty)}}}
          rebalance: {cashBuffer: {{cashBuffer}}}
          prices: {maxAge: 5m}
        """).Funds[0];

    private static MarketSnapshot Snapshot(DateTimeOffset observed, decimal? btcCap = 900_000_000_000m) => new(
        Now,
        new Dictionary<AssetRef, PriceQuote>
        {
            [Btc] = new("BTC", 50_000m, btcCap, observed, "coingecko", btcCap is null ? MarketCapOrigin.None : MarketCapOrigin.Reported),
            [Eth] = new("ETH", 2_500m, 300_000_000_000m, observed, "coingecko", MarketCapOrigin.Reported),
        },
        [],
        [],
        new HashSet<AssetRef> { Btc, Eth });

    [Fact]
    public void A_new_fund_reports_its_targets_and_needs_its_first_funding()
    {
        var result = FundEvaluator.Evaluate(Fund(), Snapshot(Now), Holdings.CashOnly(10_000m), RebalanceHistory.None, Now);

        Assert.True(result.Decision!.ShouldRebalance);
        var ready = Assert.Single(result.Status.Conditions!);
        Assert.Equal(("Ready", "False", "RebalanceNeeded", 4L), (ready.Type, ready.Status, ready.Reason, ready.ObservedGeneration!.Value));
        Assert.Equal(("10000", "10000", "100%"), (result.Status.Nav, result.Status.Cash, result.Status.TotalDrift));
        Assert.Equal(
            [("BTC", "50000", "60%", "0%", "-60pp", "0"), ("ETH", "2500", "40%", "0%", "-40pp", "0")],
            result.Status.Allocations!.Select(a => (a.Symbol, a.Price!, a.TargetWeight!, a.CurrentWeight!, a.Drift!, a.Quantity!)));
        Assert.Equal("2026-11-26T12:00:00Z", result.Status.LastPriceUpdate);
    }

    [Fact]
    public void A_sub_cent_price_keeps_its_digits_so_value_is_quantity_times_the_price_shown_and_reads_back_unchanged()
    {
        // A PEPE-like coin at 0.0000098765432: at 8 decimal places "0.00000988", and 10^9 of it would show a value of
        // 9876.5432 beside a price worth 9880; read back as its last known price, NAV would jump by 3.46.
        var pepe = new AssetRef("ETH", "ethereum", "ETHUSDT");
        var snapshot = Snapshot(Now) with
        {
            Quotes = new Dictionary<AssetRef, PriceQuote>(Snapshot(Now).Quotes) { [pepe] = new("ETH", 0.0000098765432m, 300_000_000_000m, Now, "coingecko", MarketCapOrigin.Reported) },
        };
        var holdings = Holdings.Of(0m, ("BTC", 0.12m), ("ETH", 1_000_000_000m));

        var result = FundEvaluator.Evaluate(Fund(), snapshot, holdings, new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now);

        var row = Assert.Single(result.Status.Allocations!, a => a.Symbol == "ETH");
        Assert.Equal(("0.0000098765432", "9876.5432"), (row.Price, row.Value));
        Assert.Equal("15876.5432", result.Status.Nav);

        // Without a current price (the coin left the index and the cache), it is valued at that price as before.
        var fund = Fund();
        fund.Spec.Constituents = [fund.Spec.Constituents[0]];
        fund.Spec.Constituents[0].Weight = "100%";
        fund.Status = result.Status;
        var btcOnly = new MarketSnapshot(Now, new Dictionary<AssetRef, PriceQuote> { [Btc] = Snapshot(Now).Quotes[Btc] }, [], [], new HashSet<AssetRef> { Btc });
        var later = FundEvaluator.Evaluate(fund, btcOnly, FundEvaluator.HoldingsFrom(fund.Status, 10_000m), new RebalanceHistory(Now.AddDays(-1), ["BTC"]), Now);
        Assert.Equal("15876.5432", later.Status.Nav);
    }

    [Fact]
    public void A_fund_on_target_is_ready_within_thresholds()
    {
        var result = FundEvaluator.Evaluate(Fund(), Snapshot(Now), Holdings.Of(0m, ("BTC", 0.12m), ("ETH", 1.6m)),
            new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now);

        Assert.False(result.Decision!.ShouldRebalance);
        Assert.Equal(("True", FundEvaluator.WithinThresholds), (result.Status.Conditions![0].Status, result.Status.Conditions[0].Reason));
        Assert.Equal(("0%", "0pp"), (result.Status.TotalDrift, result.Status.MaxDrift));
        Assert.Equal(("0%", "0%"), (result.Status.CashWeight, result.Status.CashTarget));
    }

    [Fact]
    public void The_cash_kept_by_a_cash_buffer_is_shown_beside_the_targets_it_leaves_to_the_assets()
    {
        // 2 % in cash: targets of 58.8 % and 39.2 %, and the 2 % is visible as cash's own target.
        var result = FundEvaluator.Evaluate(Fund(cashBuffer: "2%"), Snapshot(Now), Holdings.Of(500m, ("BTC", 0.12m), ("ETH", 1.6m)),
            new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now);

        Assert.Equal(["58.8%", "39.2%"], result.Status.Allocations!.Select(a => a.TargetWeight!));
        Assert.Equal(("10500", "500"), (result.Status.Nav, result.Status.Cash));
        Assert.Equal(("4.7619%", "2%"), (result.Status.CashWeight, result.Status.CashTarget));
    }

    [Fact]
    public void Stale_prices_stop_the_fund_and_name_the_assets()
    {
        var result = FundEvaluator.Evaluate(Fund(), Snapshot(Now.AddMinutes(-12)), Holdings.CashOnly(10_000m), RebalanceHistory.None, Now);

        Assert.Null(result.Decision);
        Assert.Equal(FundEvaluator.PricesStale, result.Reason);
        Assert.Equal("prices stale: BTC (12m old, maxAge 5m), ETH (12m old, maxAge 5m)", result.Message);
        Assert.Equal("False", result.Status.Conditions![0].Status);
    }

    [Fact]
    public void An_invalid_spec_is_stalled_without_a_decision()
    {
        var fund = Fund();
        fund.Spec.Constituents[1].Weight = "30%";

        var result = FundEvaluator.Evaluate(fund, Snapshot(Now), Holdings.CashOnly(10_000m), RebalanceHistory.None, Now);

        Assert.Null(result.Decision);
        Assert.Equal([("Ready", "False"), ("Stalled", "True")], result.Status.Conditions!.Select(c => (c.Type, c.Status)));
        Assert.Contains("spec.constituents: manual weights sum to 90%", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Market_cap_weighting_without_market_caps_is_reported_not_traded()
    {
        var result = FundEvaluator.Evaluate(Fund("MarketCap"), Snapshot(Now, btcCap: null), Holdings.CashOnly(10_000m), RebalanceHistory.None, Now);

        Assert.Null(result.Decision);
        Assert.Equal(FundEvaluator.TargetsUnavailable, result.Reason);
        Assert.StartsWith("spec.prices[BTC].marketCap: no market cap for BTC", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_suspended_fund_is_still_reported_but_never_decides_to_trade()
    {
        var result = FundEvaluator.Evaluate(Fund(suspend: true), Snapshot(Now), Holdings.CashOnly(10_000m), RebalanceHistory.None, Now);

        Assert.Null(result.Decision);
        Assert.Equal(FundEvaluator.Suspended, result.Reason);
        Assert.Equal("10000", result.Status.Nav);
    }

    [Fact]
    public void Status_is_an_exact_ledger_holdings_read_back_are_the_holdings_written()
    {
        var holdings = Holdings.Of(0.000000000123m, ("BTC", 0.119880000001m), ("ETH", 1.5984m));
        var status = FundEvaluator.Evaluate(Fund(), Snapshot(Now), holdings, new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now).Status;

        var read = FundEvaluator.HoldingsFrom(status, capital: 10_000m);

        Assert.Equal(holdings.Cash, read.Cash);
        Assert.Equal(holdings.Quantities, read.Quantities);
        Assert.Equal(10_000m, FundEvaluator.HoldingsFrom(null, 10_000m).Cash);
    }

    [Fact]
    public void An_asset_held_outside_the_index_is_priced_by_symbol_with_the_constituents()
    {
        var definition = SpecValidator.Validate(Fund().Spec).Definition!;

        var assets = FundEvaluator.AssetsToPrice(definition, Holdings.Of(10m, ("BTC", 0.1m), ("SOL", 0.000039m), ("DOT", 0m)), status: null);

        Assert.Equal([Btc, Eth, new AssetRef("SOL")], assets);
    }

    [Fact]
    public void A_removed_constituent_is_priced_by_the_ids_it_had_and_sold_at_that_price()
    {
        // KAS was a constituent priced by its CoinGecko id (Binance lists no KASUSDT): left the index, it is still priced
        // by that id, so it is tradable and the removal sells it.
        var fund = Fund();
        var first = FundEvaluator.Evaluate(
            fund, Snapshot(Now), Holdings.Of(0m, ("BTC", 0.12m), ("ETH", 1.6m)), new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now);
        Assert.Equal(("bitcoin", "BTCUSDT"), (first.Status.Allocations![0].CoinGeckoId, first.Status.Allocations[0].BinancePair));

        fund.Status = new IndexFundStatus
        {
            Cash = "0",
            Allocations = [new AllocationStatus { Symbol = "KAS", Quantity = "1000", Price = "0.1", PriceSource = "coingecko", CoinGeckoId = "kaspa" }],
        };
        var holdings = Holdings.Of(0m, ("BTC", 0.12m), ("ETH", 1.6m), ("KAS", 1000m));
        var kas = new AssetRef("KAS", "kaspa");
        Assert.Contains(kas, FundEvaluator.AssetsToPrice(SpecValidator.Validate(fund.Spec).Definition!, holdings, fund.Status));
        var snapshot = Snapshot(Now) with
        {
            Quotes = new Dictionary<AssetRef, PriceQuote>(Snapshot(Now).Quotes) { [kas] = new("KAS", 0.12m, 3_000_000_000m, Now, "coingecko", MarketCapOrigin.Reported) },
        };

        var result = FundEvaluator.Evaluate(fund, snapshot, holdings, new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH", "KAS"]), Now);

        var row = Assert.Single(result.Status.Allocations!, a => a.Symbol == "KAS");
        Assert.Equal(("0.12", "coingecko", "kaspa"), (row.Price, row.PriceSource, row.CoinGeckoId)); // kept for the next refresh
        Assert.Null(result.Untradable);
        Assert.True(result.Decision!.ShouldRebalance, result.Decision.Summary); // the constituent set changed: sell it
    }

    [Fact]
    public void An_asset_held_outside_the_index_is_valued_at_the_snapshot_price_found_by_its_symbol()
    {
        var sol = new AssetRef("SOL");
        var snapshot = Snapshot(Now) with
        {
            Quotes = new Dictionary<AssetRef, PriceQuote>(Snapshot(Now).Quotes) { [sol] = new("SOL", 150m, null, Now, "binance", MarketCapOrigin.None) },
        };

        var result = FundEvaluator.Evaluate(Fund(), snapshot, Holdings.Of(0m, ("BTC", 0.12m), ("ETH", 1.6m), ("SOL", 2m)), new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH", "SOL"]), Now);

        var row = Assert.Single(result.Status.Allocations!, a => a.Symbol == "SOL");
        Assert.Equal(("150", "0%", "300", "binance"), (row.Price, row.TargetWeight, row.Value, row.PriceSource));
        Assert.Equal("10300", result.Status.Nav);
        Assert.NotNull(result.Decision);
    }

    [Fact]
    public void Dust_of_a_removed_constituent_no_provider_prices_is_valued_at_its_last_status_price_and_the_fund_still_decides()
    {
        // After an operator restart the shared price cache no longer knows the removed ETH: the last status does.
        var fund = Fund();
        fund.Spec.Constituents = [fund.Spec.Constituents[0]];
        fund.Spec.Constituents[0].Weight = "100%";
        fund.Status = new IndexFundStatus
        {
            Cash = "0",
            Allocations = [new AllocationStatus { Symbol = "BTC", Quantity = "0.2" }, new AllocationStatus { Symbol = "ETH", Quantity = "0.000039", Price = "2400", PriceSource = "coingecko" }],
        };
        var btcOnly = new MarketSnapshot(Now, new Dictionary<AssetRef, PriceQuote> { [Btc] = Snapshot(Now).Quotes[Btc] }, [], [], new HashSet<AssetRef> { Btc });

        var result = FundEvaluator.Evaluate(fund, btcOnly, FundEvaluator.HoldingsFrom(fund.Status, 10_000m), new RebalanceHistory(Now.AddDays(-40), ["BTC"]), Now);

        Assert.NotEqual(FundEvaluator.TargetsUnavailable, result.Reason);
        var dust = Assert.Single(result.Status.Allocations!, a => a.Symbol == "ETH");
        Assert.Equal(("2400", "0.0936", "coingecko (last known)"), (dust.Price, dust.Value, dust.PriceSource));
        Assert.True(result.Decision!.ShouldRebalance); // past maxInterval: the fund goes on rebalancing
        Assert.Equal("coingecko (last known)", FundEvaluator.LastKnownSource("coingecko (last known)"));
    }

    [Fact]
    public void An_asset_held_outside_the_index_without_a_current_price_is_valued_but_not_traded_and_the_fund_goes_on()
    {
        var fund = Fund();
        fund.Status = new IndexFundStatus
        {
            Cash = "0",
            Allocations = [new AllocationStatus { Symbol = "SOL", Quantity = "20", Price = "150", PriceSource = "coingecko" }],
        };
        var holdings = Holdings.Of(0m, ("BTC", 0.12m), ("ETH", 1.6m), ("SOL", 20m));

        var result = FundEvaluator.Evaluate(fund, Snapshot(Now), holdings, new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now);

        // BTC and ETH are on target for what can trade; SOL, held as it is, is no drift to act on at every refresh.
        Assert.False(result.Decision!.ShouldRebalance, result.Decision.Summary);
        Assert.Equal("3000", Assert.Single(result.Status.Allocations!, a => a.Symbol == "SOL").Value);
        Assert.Equal("13000", result.Status.Nav); // but it is valued
        Assert.Equal(
            "no current price (held outside the index; valued at its last known price 150, coingecko (last known))",
            Assert.Single(result.Untradable!).Value);

        // An hour-old quote from the snapshot is no better; a fresh one makes it tradable.
        var sol = new AssetRef("SOL");
        var old = Snapshot(Now) with { Quotes = new Dictionary<AssetRef, PriceQuote>(Snapshot(Now).Quotes) { [sol] = new("SOL", 140m, null, Now.AddHours(-1), "binance", MarketCapOrigin.None) } };
        Assert.Contains("SOL", FundEvaluator.Evaluate(fund, old, holdings, RebalanceHistory.None, Now).Untradable!.Keys);
        var fresh = Snapshot(Now) with { Quotes = new Dictionary<AssetRef, PriceQuote>(Snapshot(Now).Quotes) { [sol] = new("SOL", 140m, null, Now, "binance", MarketCapOrigin.None) } };
        Assert.Null(FundEvaluator.Evaluate(fund, fresh, holdings, new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now).Untradable);
    }

    [Fact]
    public void Another_funds_entry_with_the_same_symbol_does_not_price_an_asset_held_outside_the_index()
    {
        // The snapshot is shared by every namespace: a fund elsewhere lists {symbol: SOL, coinGeckoId: bitcoin}. This
        // fund asked for SOL by symbol and got no current price; it keeps its last known one and does not trade SOL.
        var fund = Fund();
        fund.Status = new IndexFundStatus
        {
            Cash = "0",
            Allocations = [new AllocationStatus { Symbol = "SOL", Quantity = "20", Price = "150", PriceSource = "coingecko" }],
        };
        var holdings = Holdings.Of(0m, ("BTC", 0.12m), ("ETH", 1.6m), ("SOL", 20m));
        var poisoned = Snapshot(Now) with
        {
            Quotes = new Dictionary<AssetRef, PriceQuote>(Snapshot(Now).Quotes)
            {
                [new AssetRef("SOL", "bitcoin", "SOLUSDT")] = new("SOL", 50_000m, 900_000_000_000m, Now, "coingecko", MarketCapOrigin.Reported),
            },
        };

        var result = FundEvaluator.Evaluate(fund, poisoned, holdings, new RebalanceHistory(Now.AddDays(-1), ["BTC", "ETH"]), Now);

        var sol = Assert.Single(result.Status.Allocations!, a => a.Symbol == "SOL");
        Assert.Equal(("150", "coingecko (last known)"), (sol.Price, sol.PriceSource));
        Assert.Equal("13000", result.Status.Nav);
        Assert.Contains("SOL", result.Untradable!.Keys);
        Assert.False(result.Decision!.ShouldRebalance, result.Decision.Summary);
    }
}
