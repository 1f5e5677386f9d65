using System.Collections.Immutable;
using System.Text.Json;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

public sealed class RebalanceRecordTests
{
    [Fact]
    public async Task A_record_survives_a_json_round_trip_as_a_status_would_store_it()
    {
        var fund = new PaperFund();
        var record = (await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time)).Record!;

        var copy = JsonSerializer.Deserialize<RebalanceRecord>(JsonSerializer.Serialize(record))!;
        Assert.Equal(record.Holdings().Value.Cash, copy.Holdings().Value.Cash);
        Assert.Equal(record.Holdings().Value.Quantities, copy.Holdings().Value.Quantities);
        Assert.Equal(record.Legs.Select(l => (l.ClientOrderId, l.State, l.Quantity, l.SentAt)), copy.Legs.Select(l => (l.ClientOrderId, l.State, l.Quantity, l.SentAt)));
        Assert.Equal(record.Legs.SelectMany(l => l.Fills), copy.Legs.SelectMany(l => l.Fills));
        Assert.Equal(record.Inputs.SymbolRules, copy.Inputs.SymbolRules);
        Assert.Equal(record.Inputs.Options, copy.Inputs.Options);
        Assert.Equal(record.Revision, copy.Revision);
    }

    [Fact]
    public async Task A_recorded_leg_that_breaks_the_exchange_rules_is_skipped_and_never_sent()
    {
        await using var fund = await BinanceFund.CreateAsync();
        var start = fund.Start();
        var inputs = Inputs(start);
        // A record as a bad edit of the status (or an older operator) could leave it: off-step and below notional.
        var record = new RebalanceRecord(
            BinanceFund.Uid, 1, "binance", RebalancePhase.Selling, 1, start.Holdings, inputs,
            [
                LegRecord.Planned(BinanceFund.Uid, 1, 1, "BTC", OrderSide.Sell, 0.000015m, 60000m),
                LegRecord.Planned(BinanceFund.Uid, 1, 2, "DOGE", OrderSide.Sell, 10m, 0.2m),
            ],
            [], fund.Time.GetUtcNow(), null) { Revision = 1 };
        await fund.Journal.SaveAsync(record, CancellationToken.None);

        var result = await fund.Executor().ResumeAsync(BinanceFund.Uid, CancellationToken.None);

        Assert.Equal(LegState.Skipped, result.Record!.Legs.Single(l => l.Leg == 1).State);
        Assert.Contains("lot step", result.Record.Legs.Single(l => l.Leg == 1).Reason, StringComparison.Ordinal);
        Assert.Contains("minimum notional", result.Record.Legs.Single(l => l.Leg == 2).Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.ClientOrderId == result.Record.Legs[0].ClientOrderId || r.ClientOrderId == result.Record.Legs[1].ClientOrderId);
        Assert.DoesNotContain(fund.State.OrderRequests, r => r.Outcome == "-1013");
    }

    [Fact]
    public void Only_a_sell_never_sent_is_cut_to_the_books_and_on_its_lot_step()
    {
        var start = PaperFund.Start();
        var inputs = Inputs(start);
        var books = start.Holdings.WithQuantity("BTC", 0.1999889m); // less than the 0.2 the sell was planned from
        var oversell = LegRecord.Planned(BinanceFund.Uid, 1, 1, "BTC", OrderSide.Sell, 0.2m, 60000m);
        var record = new RebalanceRecord(BinanceFund.Uid, 1, "paper", RebalancePhase.Selling, 1, books, inputs, [oversell], [], DateTimeOffset.UnixEpoch, null);

        Assert.Equal(0.19998m, RebalanceSteps.FitToBooks(record, oversell).Quantity); // lot step 0.00001
        var sent = oversell with { State = LegState.Sent, Attempts = 1 }; // its attempt may still execute as sent
        Assert.Same(sent, RebalanceSteps.FitToBooks(record.WithLeg(sent), sent));
        var buy = oversell with { Side = OrderSide.Buy };
        Assert.Same(buy, RebalanceSteps.FitToBooks(record.WithLeg(buy), buy));
        var within = oversell with { Quantity = 0.19998m };
        Assert.Same(within, RebalanceSteps.FitToBooks(record.WithLeg(within), within));
    }

    [Fact]
    public async Task A_record_from_another_exchange_is_not_resumed_here()
    {
        var fund = new PaperFund();
        await Driver.RunToEndAsync(fund.Executor(), PaperFund.Start(), fund.Time);
        var record = (await fund.Journal.LoadAsync(PaperFund.Uid, CancellationToken.None))!;
        await fund.Journal.SaveAsync(record with { Exchange = "binance", Phase = RebalancePhase.Buying, Revision = record.Revision + 1 }, CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => fund.Executor().ResumeAsync(PaperFund.Uid, CancellationToken.None));
    }

    /// <summary>A record's plan inputs from a start, with the paper fund's symbol rules.</summary>
    private static RebalanceInputs Inputs(RebalanceStart start) => new(
        start.Targets.ToImmutableSortedDictionary(StringComparer.Ordinal),
        start.Prices.ToImmutableSortedDictionary(StringComparer.Ordinal),
        PaperFund.Rules.ToImmutableSortedDictionary(StringComparer.Ordinal),
        start.Options);
}
