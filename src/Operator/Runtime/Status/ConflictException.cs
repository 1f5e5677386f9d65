namespace CryptoIndex.Operator.Runtime.Status;

/// <summary>
/// A write lost an optimistic-concurrency race (409). The controller requeues the key quietly (no error log, no
/// error metric): the next reconcile reads the newer object from the cache.
/// </summary>
public sealed class ConflictException : Exception
{
    public ConflictException()
    {
    }

    public ConflictException(string message)
        : base(message)
    {
    }

    public ConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
