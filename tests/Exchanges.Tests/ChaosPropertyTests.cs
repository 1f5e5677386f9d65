using CryptoIndex.Exchanges.Execution;
using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;
using CsCheck;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// Random mixes of faults on every endpoint, plus the operator stopping at a random step (before or after that step
/// took effect) and restarting. A failing case prints its CsCheck seed for replay.
/// </summary>
public sealed class ChaosPropertyTests
{
    private static readonly string[] Endpoints =
    [
        "POST /api/v3/order", "POST /api/v3/order", "GET /api/v3/order", "GET /api/v3/myTrades", "GET /api/v3/time", "GET /api/v3/exchangeInfo",
    ];

    private static readonly Fault[] FaultKinds =
    [
        Fault.ServerErrorBefore(), Fault.ServerErrorAfter(), Fault.TimeoutAfter(), Fault.DropAfter(), Fault.TooManyRequests(429, 3),
        Fault.TooManyRequests(418, 60), Fault.Partial(0.3m), Fault.Slow(TimeSpan.FromSeconds(3)), Fault.Slow(TimeSpan.FromSeconds(9)),
        Fault.Reject(-1021, "Timestamp for this request is outside of the recvWindow."), Fault.TradesLag(),
    ];

    private static readonly Gen<Fault> AnyFault = Gen.Int[0, FaultKinds.Length - 1].Select(i => FaultKinds[i]);

    private static readonly Gen<(string Endpoint, int Nth, Fault Fault)[]> Faults =
        Gen.Select(Gen.Int[0, Endpoints.Length - 1].Select(i => Endpoints[i]), Gen.Int[1, 4], AnyFault).Array[0, 4];

    [Fact]
    public async Task Any_faults_and_any_crash_never_execute_an_order_twice()
    {
        await Gen.Select(Faults, Gen.Int[0, 45], Gen.Bool).SampleAsync(
            async (faults, crashAt, afterEffect) =>
            {
                await using var fund = await BinanceFund.CreateAsync();
                foreach (var (endpoint, nth, fault) in faults)
                {
                    fund.Fake.InjectAt(endpoint, nth, fault);
                }

                var start = fund.Start();
                if (crashAt > 0)
                {
                    await Driver.RunUntilCrashAsync(fund.Executor(new CrashSwitch(crashAt, afterEffect)), start, fund.Time);
                }

                var result = await Driver.RunToEndAsync(fund.Executor(), start, fund.Time);
                Assert.Equal(ExecutionStatus.Done, result.Status);
                Assert.All(result.Record!.Legs, l => Assert.True(l.IsFinal, $"{l.ClientOrderId} {l.State}"));
                fund.AssertNoDoubleExecution();
                fund.AssertLedgerMatchesExchange(result.Record);
            },
            iter: 100,
            threads: 1);
    }
}
