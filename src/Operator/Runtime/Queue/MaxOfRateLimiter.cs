namespace CryptoIndex.Operator.Runtime.Queue;

/// <summary>client-go's <c>MaxOfRateLimiter</c>: asks every limiter (each counts the attempt) and takes the longest delay.</summary>
public sealed class MaxOfRateLimiter<T>(params IRateLimiter<T>[] limiters) : IRateLimiter<T>
{
    public TimeSpan When(T item)
    {
        var max = TimeSpan.Zero;
        foreach (var limiter in limiters)
        {
            var d = limiter.When(item);
            if (d > max)
            {
                max = d;
            }
        }

        return max;
    }

    public void Forget(T item)
    {
        foreach (var limiter in limiters)
        {
            limiter.Forget(item);
        }
    }

    public int NumRequeues(T item) => limiters.Length == 0 ? 0 : limiters.Max(l => l.NumRequeues(item));
}
