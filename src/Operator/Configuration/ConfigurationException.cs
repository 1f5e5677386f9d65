namespace CryptoIndex.Operator.Configuration;

/// <summary>
/// A setting of the operator's own configuration (appsettings, <c>MarketData__…</c> variables) out of range or
/// malformed: <c>run</c> prints its message, which names the key, and exits instead of starting.
/// </summary>
public sealed class ConfigurationException(string message) : InvalidOperationException(message);
