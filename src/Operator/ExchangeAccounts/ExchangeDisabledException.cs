namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>The exchange the fund asks for is switched off in this operator (the sandbox trades on paper only).</summary>
public sealed class ExchangeDisabledException : Exception
{
    public ExchangeDisabledException()
    {
    }

    public ExchangeDisabledException(string message)
        : base(message)
    {
    }

    public ExchangeDisabledException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
