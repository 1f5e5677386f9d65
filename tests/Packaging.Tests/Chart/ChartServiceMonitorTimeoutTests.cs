using CryptoIndex.Packaging.Tests.Support;

namespace CryptoIndex.Packaging.Tests.Chart;

/// <summary>
/// prometheus-operator rejects a ServiceMonitor whose scrapeTimeout exceeds its interval ("InvalidConfiguration",
/// the PrometheusOperatorRejectedResources alert) and scrapes nothing; its CRD and LocalKube accept it. With the
/// default 10s timeout, an interval below it did just that, so the chart refuses it, comparing the durations.
/// </summary>
public sealed class ChartServiceMonitorTimeoutTests
{
    [Theory]
    [InlineData("helm", "5s", "10s", false)] // the default timeout
    [InlineData("helm3", "5s", "10s", false)]
    [InlineData("helm", "1m29s", "1m30s", false)]
    [InlineData("helm", "1h", "59m59s999ms", true)]
    [InlineData("helm3", "90s", "1m30s", true)] // equal is allowed
    [InlineData("helm", "1m", "1m", true)]
    [InlineData("helm", "30s", "10s", true)]
    public async Task A_scrape_timeout_longer_than_the_interval_is_refused(string helm, string interval, string timeout, bool renders)
    {
        var result = await Support.Chart.TryTemplateAsync(
            string.Empty,
            ["serviceMonitor.enabled=true", "serviceMonitor.renderMode=alwaysRender", $"serviceMonitor.interval={interval}", $"serviceMonitor.scrapeTimeout={timeout}"],
            Tool.Path(helm));

        if (renders)
        {
            Assert.True(result.Exit == 0, result.Describe("helm template"));
            var endpoint = Manifests.Parse(result.Out).One("ServiceMonitor")["spec"]!["endpoints"]![0]!;
            Assert.Equal((interval, timeout), ((string?)endpoint["interval"], (string?)endpoint["scrapeTimeout"]));
        }
        else
        {
            Assert.NotEqual(0, result.Exit);
            Assert.Contains($"serviceMonitor.scrapeTimeout ({timeout}) exceeds serviceMonitor.interval ({interval})", result.Err, StringComparison.Ordinal);
        }
    }
}
