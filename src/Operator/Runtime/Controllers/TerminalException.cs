namespace CryptoIndex.Operator.Runtime.Controllers;

/// <summary>
/// controller-runtime's <c>TerminalError</c>: the reconcile failed in a way retrying cannot fix (e.g. an invalid spec).
/// The key is not retried until the object changes again.
/// </summary>
public sealed class TerminalException : Exception
{
    public TerminalException()
    {
    }

    public TerminalException(string message)
        : base(message)
    {
    }

    public TerminalException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
