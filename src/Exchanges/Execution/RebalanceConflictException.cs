namespace CryptoIndex.Exchanges.Execution;

/// <summary>
/// The fund's record changed since it was read: another executor is working on it. The executor that gets this
/// stops without sending; the next reconcile reads the newer record and continues from there.
/// </summary>
public sealed class RebalanceConflictException : Exception
{
    public RebalanceConflictException()
        : base("the rebalance record changed since it was read")
    {
    }

    public RebalanceConflictException(string message)
        : base(message)
    {
    }

    public RebalanceConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
