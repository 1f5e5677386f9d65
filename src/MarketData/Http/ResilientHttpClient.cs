using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace CryptoIndex.MarketData.Http;

/// <summary>
/// Builds the HTTP client of one price provider: total timeout → retry (jittered exponential backoff, Retry-After
/// unless it outlasts the total timeout) → circuit breaker → request budget → per-attempt timeout → body buffering →
/// the network. All timing runs on the given <see cref="TimeProvider"/>.
/// </summary>
public static class ResilientHttpClient
{
    public static HttpClient Create(SourceHttpOptions options, TimeProvider time, HttpMessageHandler? network = null, RequestBudget? budget = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }.AddTimeout(options.TotalTimeout);
        if (options.MaxRetries > 0)
        {
            var deadline = new CallDeadline(time, options.TotalTimeout);
            var retry = new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldRetryAfterHeader = true,
            };

            // A Retry-After that ends past the total timeout is not waited for: the 429/503 goes back to the source at
            // once (to report it, or keep it as a ban) instead of ending as a timeout after the whole budget.
            var transient = retry.ShouldHandle;
            retry.ShouldHandle = async args =>
                await transient(args).ConfigureAwait(false) && !deadline.RetryAfterOutlasts(args.Context, args.Outcome.Result);
            builder.AddStrategy(_ => deadline, new CallDeadlineOptions()).AddRetry(retry);
        }

        builder.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
            });
        if (budget is not null)
        {
            builder.AddStrategy(_ => new RequestBudgetStrategy(budget), new RequestBudgetOptions());
        }

        var pipeline = builder.AddTimeout(options.AttemptTimeout).Build();
#pragma warning disable CA2000 // The handler chain is owned and disposed by the HttpClient.
        var handler = new ResilienceHandler(pipeline)
        {
            // No redirects: a redirect to another host would carry the API key header along (only Authorization is dropped).
            InnerHandler = new BufferingHandler { InnerHandler = network ?? new SocketsHttpHandler { AllowAutoRedirect = false } },
        };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private sealed class CallDeadlineOptions : ResilienceStrategyOptions
    {
        public CallDeadlineOptions() => Name = "CallDeadline";
    }

    private sealed class RequestBudgetOptions : ResilienceStrategyOptions
    {
        public RequestBudgetOptions() => Name = "RequestBudget";
    }
}
