using Polly;

namespace CryptoIndex.MarketData.Http;

/// <summary>
/// Takes a slot of a <see cref="RequestBudget"/> before each attempt. It sits inside the retry strategy, so every
/// retry counts against the provider's published limit too.
/// </summary>
internal sealed class RequestBudgetStrategy(RequestBudget budget) : ResilienceStrategy
{
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ArgumentNullException.ThrowIfNull(context);
        await budget.TakeAsync(context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        return await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }
}
