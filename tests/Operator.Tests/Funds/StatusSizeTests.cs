using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Operator.Api;
using CryptoIndex.Operator.Crd;
using CryptoIndex.Operator.Funds;
using CryptoIndex.LocalKube;
using CryptoIndex.LocalKube.Testing;
using k8s;
using Xunit.Abstractions;

namespace CryptoIndex.Operator.Tests.Funds;

/// <summary>
/// Years of rebalances leave the status bounded: the largest fund the API allows (100 constituents, historyLimit 500)
/// rebalancing every day for two years, every leg of every rebalance traded, stays far below the API server's
/// object size limit (1.5 MiB in etcd), and its size stops growing once the history is full.
/// </summary>
public sealed class StatusSizeTests(ITestOutputHelper output)
{
    private const int Constituents = 100;
    private const int HistoryLimit = 500;
    private const int Days = 2 * 365;
    private static readonly DateTimeOffset Day0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Two_years_of_daily_rebalances_of_the_largest_fund_stay_bounded_and_keep_the_latest_history()
    {
        await using var cluster = await LocalKubeCluster.StartAsync();
        var client = cluster.CreateClient();
        await cluster.ApplyYamlAsync(File.ReadAllText(RepositoryPaths.Combine("config", "crds", CrdGenerator.FileName)));
        var uid = (string)(await cluster.ApplyYamlAsync(LargestFund()))[0]["metadata"]!["uid"]!;
        var journal = new StatusRebalanceJournal(client, "default", "largest", HistoryLimit);
        var sizes = new List<int>();

        for (var day = 1; day <= Days; day++)
        {
            var loaded = await journal.LoadAsync(uid, CancellationToken.None);
            journal.StartReason = "maximum interval 1d passed";
            await journal.SaveAsync(Rebalance(uid, day) with { Revision = (loaded?.Revision ?? 0) + 1 }, CancellationToken.None);
            sizes.Add(Encoding.UTF8.GetByteCount(await RawAsync(client)));
        }

        // What the evaluation writes beside the journal: 100 allocations and the conditions, at their longest.
        var allocations = new JsonArray([.. Enumerable.Range(0, Constituents).Select(i => (JsonNode)new JsonObject
        {
            ["symbol"] = Symbol(i), ["price"] = "1234.56789012", ["marketCap"] = "123456789012.34", ["marketCapOrigin"] = "Reported",
            ["priceSource"] = "coingecko", ["targetWeight"] = "1%", ["currentWeight"] = "1.01234567%", ["drift"] = "+0.01234567pp",
            ["quantity"] = "12.345678901234", ["value"] = "12345.67890123",
        })]);
        var condition = new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "RebalanceHeldBack", ["message"] = new string('x', 1024), ["lastTransitionTime"] = "2028-01-01T00:00:00Z" };
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync<JsonObject>(
            new k8s.Models.V1Patch(new JsonObject { ["status"] = new JsonObject { ["allocations"] = allocations, ["conditions"] = new JsonArray(condition) } }.ToJsonString(), k8s.Models.V1Patch.PatchType.MergePatch),
            IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "largest");
        sizes.Add(Encoding.UTF8.GetByteCount(await RawAsync(client)));

        var full = sizes[HistoryLimit + 10];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"status object size: day 1 {sizes[0]} B, day {HistoryLimit + 11} {full} B, day {Days} {sizes[^2]} B, with allocations and conditions {sizes[^1]} B"));
        Assert.True(sizes.Max() < 1024 * 1024, $"the fund grew to {sizes.Max()} bytes");
        Assert.InRange(sizes[^2], full * 0.98, full * 1.02); // a plateau: nothing accumulates once the history is full

        var status = JsonNode.Parse(await RawAsync(client))!["status"]!;
        Assert.Equal(Enumerable.Range(Days - HistoryLimit + 1, HistoryLimit).Reverse().Select(d => (long)d), status["rebalances"]!.AsArray().Select(r => (long)r!["sequence"]!));
        var trades = status["trades"]!.AsArray();
        Assert.Equal(HistoryLimit, trades.Count);
        // The newest trades, newest rebalance first: the last five days' 100 legs each.
        Assert.Equal(
            Enumerable.Range(Days - 4, 5).Reverse().Select(d => d.ToString(CultureInfo.InvariantCulture)),
            trades.Select(t => (string)t!["rebalanceId"]!).Distinct());
        Assert.All(trades, t => Assert.Equal("Completed", (string?)t!["status"]));
    }

    private static async Task<string> RawAsync(IKubernetes client)
    {
        var fund = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonObject>(IndexFund.Group, IndexFund.Version, "default", IndexFund.Plural, "largest");
        return fund.ToJsonString();
    }

    private static string Symbol(int i) => "A" + i.ToString("D3", CultureInfo.InvariantCulture);

    private static string LargestFund()
    {
        var constituents = string.Join('\n', Enumerable.Range(0, Constituents).Select(i => $"    - {{symbol: {Symbol(i)}, coinGeckoId: asset-{i}}}"));
        return $$"""
            apiVersion: cryptoindex.io/v1alpha1
            kind: IndexFund
            metadata: {name: largest}
            spec:
              capital: 1000000
              weighting: Equal
              historyLimit: {{HistoryLimit}}
              constituents:
            {{constituents}}
            """;
    }

    /// <summary>Day <paramref name="day"/>'s rebalance: every constituent traded (sells on odd legs), with realistic digits.</summary>
    private static Exchanges.Execution.RebalanceRecord Rebalance(string uid, int day)
    {
        var started = Day0.AddDays(day);
        var prices = Enumerable.Range(0, Constituents).ToImmutableSortedDictionary(Symbol, i => 1234.56789012m + i + (day % 97) * 0.01m, StringComparer.Ordinal);
        var legs = Enumerable.Range(0, Constituents).Select(i =>
        {
            var side = i % 2 == 0 ? OrderSide.Sell : OrderSide.Buy;
            var quantity = 0.12345678m + (day % 13) * 0.00000001m;
            var fill = new Fill(Symbol(i), side, quantity, prices[Symbol(i)], side == OrderSide.Buy ? quantity * 0.001m : quantity * prices[Symbol(i)] * 0.001m, side == OrderSide.Buy ? FeeCurrency.Base : FeeCurrency.Quote);
            return LegRecord.Planned(uid, day, i + 1, Symbol(i), side, quantity, prices[Symbol(i)]) with
            {
                State = LegState.Completed,
                Attempts = 1,
                SentAt = started.AddSeconds(i),
                ExchangeOrderId = (1_000_000 + day * 1000 + i).ToString(CultureInfo.InvariantCulture),
                ExecutedQuantity = quantity,
                Fills = [fill],
            };
        }).ToImmutableList();
        var holdings = Holdings.Of(10_000m, [.. Enumerable.Range(0, Constituents).Select(i => (Symbol(i), 10m))]);
        var inputs = new RebalanceInputs(
            prices.ToImmutableSortedDictionary(p => p.Key, _ => 0.01m, StringComparer.Ordinal),
            prices,
            prices.ToImmutableSortedDictionary(p => p.Key, _ => new SymbolRules(0.00001m, 0.00001m, 5m), StringComparer.Ordinal),
            new PlanOptions(FeeRate: 0.001m));
        return new Exchanges.Execution.RebalanceRecord(uid, day, "binance", RebalancePhase.Done, 1, holdings, inputs, legs, [], started, started.AddMinutes(1));
    }
}
