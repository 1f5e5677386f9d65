using CryptoIndex.MarketData.Http;

namespace CryptoIndex.MarketData.Tests;

/// <summary>
/// <see cref="SourceHttpOptions.Problem"/> restates Polly's bounds so that the operator can name a bad setting at
/// start: it must refuse exactly what Polly refuses when <see cref="ResilientHttpClient"/> builds the client.
/// </summary>
public sealed class SourceHttpOptionsTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public void Problem_refuses_exactly_the_values_Polly_refuses_at_the_edges_of_each_range()
    {
        var max = SourceHttpOptions.MaxDuration;
        var edges = new List<(string Edge, SourceHttpOptions Options)>();
        foreach (var (name, min, with) in new (string, TimeSpan, Func<TimeSpan, SourceHttpOptions>)[]
        {
            ("AttemptTimeout", SourceHttpOptions.MinTimeout, t => new() { AttemptTimeout = t }),
            ("TotalTimeout", SourceHttpOptions.MinTimeout, t => new() { TotalTimeout = t }),
            ("RetryBaseDelay", TimeSpan.Zero, t => new() { RetryBaseDelay = t }),
            ("BreakerSamplingDuration", SourceHttpOptions.MinBreakerDuration, t => new() { BreakerSamplingDuration = t }),
            ("BreakDuration", SourceHttpOptions.MinBreakerDuration, t => new() { BreakDuration = t }),
        })
        {
            edges.AddRange([($"{name} {min}", with(min)), ($"{name} {min - Tick}", with(min - Tick)), ($"{name} {max}", with(max)), ($"{name} {max + Tick}", with(max + Tick))]);
        }

        foreach (var ratio in new[] { 0, -0.01, 1, 1.01, double.NaN })
        {
            edges.Add(($"BreakerFailureRatio {ratio}", new() { BreakerFailureRatio = ratio }));
        }

        var least = SourceHttpOptions.MinBreakerThroughput;
        edges.AddRange([($"BreakerMinimumThroughput {least}", new() { BreakerMinimumThroughput = least }), ($"BreakerMinimumThroughput {least - 1}", new() { BreakerMinimumThroughput = least - 1 })]);
        edges.AddRange([("MaxRetries 0", new() { MaxRetries = 0 }), ("MaxRetries 1", new() { MaxRetries = 1 })]);

        var disagreements = edges
            .Where(e => (Record.Exception(() => ResilientHttpClient.Create(e.Options, TimeProvider.System).Dispose()) is null) != (e.Options.Problem("Http") is null))
            .Select(e => e.Edge)
            .ToList();

        Assert.Empty(disagreements);
        Assert.Equal(14, edges.Count(e => e.Options.Problem("Http") is not null)); // the edges do probe both sides
    }

    [Fact]
    public void Negative_retries_are_refused_though_the_client_would_take_them_as_none() =>
        Assert.Equal("Http:MaxRetries must be 0 (no retries) or more, not -1", new SourceHttpOptions { MaxRetries = -1 }.Problem("Http"));
}
