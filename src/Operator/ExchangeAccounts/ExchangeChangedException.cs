namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>spec.exchange names another account than the one the open rebalance trades on; nothing may be sent.</summary>
public sealed class ExchangeChangedException : Exception
{
    public ExchangeChangedException()
    {
    }

    public ExchangeChangedException(string message)
        : base(message)
    {
    }

    public ExchangeChangedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
