namespace CryptoIndex.Operator.Runtime.Queue;

/// <summary>client-go's <c>workqueue.TypedRateLimiter</c>: how long an item waits before it is requeued.</summary>
public interface IRateLimiter<in T>
{
    /// <summary>The delay for the next requeue of <paramref name="item"/>; counts one more failure.</summary>
    TimeSpan When(T item);

    /// <summary>Stops tracking <paramref name="item"/> (its backoff starts over).</summary>
    void Forget(T item);

    /// <summary>How many times <paramref name="item"/> has been requeued since the last <see cref="Forget"/>.</summary>
    int NumRequeues(T item);
}
