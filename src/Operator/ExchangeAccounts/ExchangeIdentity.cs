using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>
/// The account a fund's orders go to, in words (<c>paper</c>, <c>binance testnet, Secret binance-keys</c>). A rebalance
/// records it when it starts and resumes only on the same account: looking an order up, or resending it, on another
/// account could trade twice.
/// </summary>
public static class ExchangeIdentity
{
    public const string Paper = "paper";

    private const string Testnet = "binance testnet";

    public static string Of(ExchangeSettings exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return exchange.Kind == ExchangeKind.Paper
            ? Paper
            : $"{(exchange.Testnet ? Testnet : "binance")}, Secret {exchange.CredentialsSecret}";
    }

    /// <summary>
    /// The Binance account <paramref name="identity"/> (as <see cref="Of"/> writes it) names: testnet or not, and the
    /// credentials Secret; null for paper, or for text <see cref="Of"/> did not write. Lets a rebalance's orders be looked
    /// up where it recorded them when the spec cannot say (it is invalid, or names another account).
    /// </summary>
    public static (bool Testnet, string Secret)? BinanceAccount(string? identity)
    {
        const string Separator = ", Secret ";
        var at = identity?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return null;
        }

        var secret = identity![(at + Separator.Length)..];
        return secret.Length == 0 ? null
            : identity[..at] switch
            {
                "binance" => (false, secret),
                Testnet => (true, secret),
                _ => null,
            };
    }

    /// <summary>Whether <paramref name="identity"/> (as <see cref="Of"/> writes it) trades play money: paper, or the Binance testnet.</summary>
    public static bool IsPlayMoney(string identity) =>
        identity == Paper || identity.StartsWith(Testnet + ",", StringComparison.Ordinal);
}
