namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>The fund's exchange credentials cannot be read; the message names the Secret and the key, never a value.</summary>
public sealed class CredentialsUnavailableException : Exception
{
    public CredentialsUnavailableException()
    {
    }

    public CredentialsUnavailableException(string message)
        : base(message)
    {
    }

    public CredentialsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
