using System.Globalization;
using CryptoIndex.MarketData;
using CryptoIndex.MarketData.Simulation;
using CryptoIndex.Operator.Tests.Testing;
using CryptoIndex.LocalKube.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// Rebalances one after another, each decided by the reconcile that reports the one before (a fast market, a tiny
/// threshold, no minimum interval): the fund's status must still tell the latest one, the latest prices and why.
/// </summary>
public sealed class BackToBackRebalanceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_status_follows_each_rebalance_when_the_next_one_starts_at_once()
    {
        var clock = new FakeTimeProvider(Start);
        var market = new SimulatedMarket(seed: 11, Start, step: TimeSpan.FromMinutes(1));
        await using var op = await OperatorUnderTest.StartAsync(new PriceProviderSettings { Substitute = new SimulatedSource(market, clock) }, clock);
        using var kubectl = new Kubectl(op.Cluster);
        var fund = SixtyFortyFund.Manifest(
            prices: "{provider: coingecko, refreshInterval: 60s, maxAge: 1h}",
            extraSpec: "\n  rebalance: {threshold: 0.01%, minInterval: 0s, minTradeValue: \"0.01\"}");
        await kubectl.OkAsync("apply", "-f", kubectl.WriteFile("fund.yaml", fund));

        // Every minute prices move past the threshold, so each report of a finished rebalance starts the next.
        var status = await FakeClockPump.UntilAsync(
            kubectl, clock, "sixty-forty", s => s?["rebalances"]?.AsArray().Count >= 6, advance: TimeSpan.FromSeconds(61));

        var started = status["rebalances"]!.AsArray().Max(r => (long)r!["sequence"]!);
        var finished = status["rebalances"]!.AsArray().Where(r => (string?)r!["phase"] == "Completed").Max(r => (long)r!["sequence"]!);
        var shown = (long?)status["rebalanceSequence"];
        Assert.True(shown >= finished - 1 && shown <= started, $"rebalanceSequence {shown}, while rebalances up to {finished} completed and {started} started");
        // Measured against the fund's own records, not the test's clock (how far the pump ran ahead of the operator
        // depends on the machine): the top-level fields may lag the journal by the one rebalance that just finished,
        // never more (the bug this guards against froze them at the first rebalance).
        DateTimeOffset Time(string? text) => DateTimeOffset.Parse(text!, CultureInfo.InvariantCulture);
        var previous = status["rebalances"]!.AsArray().Single(r => (long)r!["sequence"]! == finished - 1)!;
        var lastPrices = Time((string?)status["lastPriceUpdate"]);
        Assert.True(lastPrices >= Time((string?)previous["startedAt"]) - TimeSpan.FromSeconds(60), $"lastPriceUpdate {lastPrices:O}, rebalance {finished - 1} started {previous["startedAt"]}");
        var shownTime = Time((string?)status["lastRebalanceTime"]);
        Assert.True(shownTime >= Time((string?)previous["completedAt"]), $"lastRebalanceTime {shownTime:O}, rebalance {finished - 1} completed {previous["completedAt"]}");
    }
}
