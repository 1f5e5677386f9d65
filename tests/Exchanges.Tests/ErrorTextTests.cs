using CryptoIndex.Exchanges.Tests.Fake;
using CryptoIndex.Exchanges.Tests.Support;

namespace CryptoIndex.Exchanges.Tests;

/// <summary>
/// Binance's error text goes into exception messages, and from there into status, Events and log lines: whatever the
/// answer holds, it arrives there as one line of printable text.
/// </summary>
public sealed class ErrorTextTests
{
    [Fact]
    public async Task Line_breaks_and_terminal_escapes_in_an_error_message_do_not_reach_the_error_or_the_logs()
    {
        await using var fund = await BinanceFund.CreateAsync();
        const string Forged = "2026-11-26T06:00:00Z info: CryptoIndex.Operator: Fund funds/top10 rebalance 7 done";
        fund.Fake.Inject("GET /api/v3/account", Fault.Reject(-1100, "Illegal characters found in parameter 'x'.\n" + Forged + "\r\u001b[2J\u0007"));

        var error = await Assert.ThrowsAsync<ExchangeException>(() => fund.Exchange().GetBalancesAsync(["BTC"], default));

        Assert.Equal(ExchangeErrorKind.Rejected, error.Kind);
        Assert.Contains("Illegal characters found in parameter 'x'.", error.Message, StringComparison.Ordinal);
        Assert.Contains(Forged, error.Message, StringComparison.Ordinal); // kept, as text on the same line
        Assert.DoesNotContain(error.Message, char.IsControl);
        var logged = Assert.Single(fund.Logs.Lines, l => l.Contains(Forged, StringComparison.Ordinal));
        Assert.DoesNotContain(logged, char.IsControl);
    }
}
