using System.Security.Cryptography;
using System.Text;

namespace CryptoIndex.Exchanges.Binance;

/// <summary>
/// A Binance API key and its secret, read from the Kubernetes Secret the fund names. The values are reachable only
/// inside this library (to sign and to set the API key header); <see cref="ToString"/> prints neither, and
/// <see cref="Redact"/> removes them from any text that came back from the exchange.
/// </summary>
public sealed class BinanceCredentials
{
    /// <summary>The keys expected in the Secret's data.</summary>
    public const string ApiKeyField = "apiKey";

    public const string SecretKeyField = "secretKey";

    private readonly byte[] secret;

    public BinanceCredentials(string apiKey, string secretKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretKey);
        ApiKey = apiKey;
        SecretKey = secretKey;
        secret = Encoding.UTF8.GetBytes(secretKey);
    }

    internal string ApiKey { get; }

    private string SecretKey { get; }

    /// <summary>
    /// Credentials from a Secret's data (<c>apiKey</c>, <c>secretKey</c>, UTF-8). An error names the Secret and the
    /// missing field, never a value.
    /// </summary>
    public static BinanceCredentials FromSecretData(string secretName, IReadOnlyDictionary<string, byte[]> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new BinanceCredentials(Field(secretName, data, ApiKeyField), Field(secretName, data, SecretKeyField));
    }

    /// <summary>Hex HMAC-SHA256 of the exact payload (query string, then body) with the secret key, as Binance signs.</summary>
    internal string Sign(string payload) => Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(payload)));

    /// <summary>The text with every occurrence of the key or the secret replaced by <c>***</c>.</summary>
    public string Redact(string text) =>
        (text ?? string.Empty).Replace(ApiKey, "***", StringComparison.Ordinal).Replace(SecretKey, "***", StringComparison.Ordinal);

    public override string ToString() => "BinanceCredentials(***)";

    private static string Field(string secretName, IReadOnlyDictionary<string, byte[]> data, string field) =>
        data.TryGetValue(field, out var bytes) && bytes.Length > 0
            ? Encoding.UTF8.GetString(bytes).Trim()
            : throw new ArgumentException($"Secret {secretName} has no '{field}' entry", nameof(data));
}
