using System.Text.Json.Nodes;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.LocalKube.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>
/// The set-up the Binance end-to-end test classes share: per test, the operator on a fake clock against a fresh fake
/// Binance, kubectl against its cluster, and a temporary folder for the fund's files, all removed afterwards.
/// </summary>
public abstract class BinanceOperatorTest(string folderPrefix) : IAsyncLifetime, IDisposable
{
    protected const string Fund = "sixty-forty";

    /// <summary>Binance's order look-up (by client order id).</summary>
    protected const string LookupEndpoint = "GET /api/v3/order";

    protected static readonly DateTimeOffset Start = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Clock { get; } = new(Start);

    protected string Folder { get; } = Directory.CreateTempSubdirectory(folderPrefix).FullName;

    protected FakeBinance Binance { get; private set; } = null!;

    private protected OperatorUnderTest Op { get; private set; } = null!;

    protected Kubectl Kubectl { get; private set; } = null!;

    /// <summary>Advances the clock (1 s steps unless told) until the fund's status satisfies <paramref name="done"/>.</summary>
    protected Task<JsonNode> PumpUntilAsync(Func<JsonNode?, bool> done, TimeSpan? advance = null, Func<bool>? alsoDone = null) =>
        FakeClockPump.UntilAsync(Kubectl, Clock, Fund, done, advance ?? TimeSpan.FromSeconds(1), alsoDone);

    /// <summary>
    /// Applies the Binance sample fund with its first order (the BTC buy) executed but its answer lost (a 502 after it
    /// executed) and every look-up failing until the test clears the faults; returns the status once the rebalance
    /// waits on the exchange with that order sent. The credentials Secret is the test's to create (or not).
    /// </summary>
    protected async Task<JsonNode> ApplyWithFirstAnswerLostAsync()
    {
        Binance.Inject(BinanceOperator.OrderEndpoint, Fault.ServerErrorAfter());
        for (var i = 0; i < 1_000; i++)
        {
            Binance.Inject(LookupEndpoint, Fault.ServerErrorBefore());
        }

        await Kubectl.OkAsync("apply", "-f", Kubectl.WriteFile("fund.yaml", BinanceOperator.Manifest()));
        var waiting = await PumpUntilAsync(s => FakeClockPump.ConditionReason(s, "Reconciling") == "WaitingForExchange");
        Assert.Equal("Sent", (string?)waiting["execution"]!["legs"]!.AsArray().Single(l => (string?)l!["symbol"] == "BTC")!["state"]);
        return waiting;
    }

    public virtual async Task InitializeAsync()
    {
        (Binance, Op) = await BinanceOperator.StartAsync(Clock, Folder);
        Kubectl = new Kubectl(Op.Cluster);
    }

    public void Dispose()
    {
        Kubectl?.Dispose();
        GC.SuppressFinalize(this);
    }

    public async Task DisposeAsync()
    {
        await Op.DisposeAsync();
        await Binance.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
