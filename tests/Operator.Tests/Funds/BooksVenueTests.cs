using System.Collections.Immutable;
using System.Text.Json;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Funds;
using CryptoIndex.Operator.Tests.Testing;
using ExecutionRecord = CryptoIndex.Exchanges.Execution.RebalanceRecord;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>Where a fund's books are, against where its spec points: which account binds the next rebalance, which moves are refused.</summary>
public sealed class BooksVenueTests
{
    private const string Mainnet = "{kind: binance, credentialsSecretRef: {name: binance-keys}}";
    private const string Testnet = "{kind: binance, testnet: true, credentialsSecretRef: {name: binance-keys}}";
    private const string Paper = "{kind: paper}";
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly Holdings Positions = Holdings.Of(100m, ("BTC", 0.1m), ("ETH", 1.5m));

    [Theory]
    [InlineData("paper", "paper", Mainnet, "paper")]
    [InlineData("binance", "binance testnet, Secret binance-keys", Mainnet, "binance testnet, Secret binance-keys")]
    [InlineData("paper", "paper", Testnet, null)] // no real money either way
    [InlineData("binance", "binance, Secret binance-keys", Paper, null)] // a simulation of the books sends nothing
    [InlineData("binance", "binance, Secret old-keys", Mainnet, null)] // real coins the owner can move with the keys
    [InlineData("paper", null, Mainnet, "paper")] // a paper record older than its venue is paper all the same
    public void Positions_bought_with_play_money_are_not_traded_with_real_money(string exchange, string? venue, string spec, string? from)
    {
        var (fund, definition) = Fund(spec);

        var refused = BooksVenue.MoveRefused(fund, definition, Record(exchange, venue), Positions);

        if (from is null)
        {
            Assert.Null(refused);
            return;
        }

        Assert.StartsWith($"spec.exchange names binance, Secret binance-keys, but the fund's books hold BTC, ETH bought on {from} (play money)", refused, StringComparison.Ordinal);
        Assert.EndsWith($"Put spec.exchange back to {from}, or, to trade on binance, Secret binance-keys, delete the fund and create it anew: a new fund starts from spec.capital in cash", refused, StringComparison.Ordinal);
        // Cash the fund made on play money is play money too.
        Assert.StartsWith($"spec.exchange names binance, Secret binance-keys, but the fund's books hold 12345.67 in cash, the outcome of trading on {from} (play money)", BooksVenue.MoveRefused(fund, definition, Record(exchange, venue), Holdings.CashOnly(12_345.67m)), StringComparison.Ordinal);
        Assert.Null(BooksVenue.MoveRefused(fund, definition, null, Positions)); // never traded: nothing to carry over
    }

    [Fact]
    public void The_books_account_binds_the_next_rebalance_from_the_record_alone_while_the_spec_names_its_venue()
    {
        var (fund, definition) = Fund(Mainnet); // no status.rebalances[] at all

        Assert.Equal("uid-aaaaaaaaaaaa", BooksVenue.Account(fund, definition, Record("binance", "binance, Secret binance-keys")));
        Assert.Null(BooksVenue.Account(fund, definition, Record("binance", "binance, Secret old-keys"))); // moved on purpose
        Assert.Null(BooksVenue.Account(fund, definition, null));
    }

    /// <summary>
    /// A record written before it kept its venue still loads; its venue is then its history entry's while there is
    /// one. Once that entry is gone the venue is unknown — it may have been the testnet — so its account binds a
    /// rebalance with real money (testnet and real accounts differ), and none with play money.
    /// </summary>
    [Fact]
    public void A_record_older_than_its_venue_loads_and_falls_back_to_its_history_entry()
    {
        var written = JsonSerializer.SerializeToNode(Record("binance", "binance, Secret binance-keys"), StatusRebalanceJournal.RecordJson)!.AsObject();
        Assert.True(written.Remove("venue"));
        var legacy = written.Deserialize<ExecutionRecord>(StatusRebalanceJournal.RecordJson)!;
        var (fund, definition) = Fund(Mainnet);
        Assert.Null(legacy.Venue);
        Assert.Equal("uid-aaaaaaaaaaaa", legacy.Account);

        Assert.Equal("uid-aaaaaaaaaaaa", BooksVenue.Account(fund, definition, legacy));
        var (paperFund, paperDefinition) = Fund(Paper);
        Assert.Null(BooksVenue.Account(paperFund, paperDefinition, legacy));
        fund.Status = new IndexFundStatus { Rebalances = [new() { Id = "1", Sequence = 1, Exchange = "binance, Secret old-keys" }] };
        Assert.Null(BooksVenue.Account(fund, definition, legacy)); // known: moved to other keys on purpose
        fund.Status = new IndexFundStatus { Rebalances = [new() { Id = "1", Sequence = 1, Exchange = "binance, Secret binance-keys" }] };
        Assert.Equal("uid-aaaaaaaaaaaa", BooksVenue.Account(fund, definition, legacy));
    }

    private static (IndexFund Fund, FundDefinition Definition) Fund(string exchange)
    {
        var fund = ManifestReader.Read(SixtyFortyFund.Manifest(exchange: exchange)).Funds[0];
        return (fund, SpecValidator.Validate(fund.Spec).Definition!);
    }

    private static ExecutionRecord Record(string exchange, string? venue) => new(
        "uid", 1, exchange, RebalancePhase.Done, 1, Holdings.CashOnly(10_000m),
        new RebalanceInputs(ImmutableSortedDictionary<string, decimal>.Empty, ImmutableSortedDictionary<string, decimal>.Empty, ImmutableSortedDictionary<string, SymbolRules>.Empty, new PlanOptions(FeeRate: 0.001m)),
        [], [], Start, Start) { Account = "uid-aaaaaaaaaaaa", Venue = venue };
}
