namespace CryptoIndex.LocalKube.Tests;

public sealed class RequestLogTests
{
    private static ApiRequest Request(int i) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(i), "GET", "/api/v1/namespaces/default/pods/p" + i, string.Empty, "get", string.Empty, "pods", string.Empty, "default", "p" + i, 200, "test", "application/json");

    [Fact]
    public void A_limited_log_keeps_the_latest_requests_and_stays_bounded()
    {
        var log = new RequestLog(limit: 3);
        for (var i = 1; i <= 100; i++)
        {
            log.Add(Request(i));
            Assert.InRange(log.All.Count, 1, 6);
        }

        Assert.Equal(["p98", "p99", "p100"], log.All.TakeLast(3).Select(r => r.Name));
        Assert.True(log.All.Count >= 3);
        Assert.Equal(100, log.Recorded); // forgotten requests still count
    }

    [Fact]
    public void An_unlimited_log_keeps_every_request()
    {
        var log = new RequestLog();
        for (var i = 1; i <= 100; i++)
        {
            log.Add(Request(i));
        }

        Assert.Equal(100, log.Count(verb: "get", resource: "pods"));
    }
}
