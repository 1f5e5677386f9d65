using CryptoIndex.Operator.Api;

namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>
/// The account a fund's orders go to, in words (<c>paper</c>, <c>binance testnet, Secret binance-keys</c>). A rebalance
/// records it when it starts and resumes only on the same account: looking an order up, or resending it, on another
/// account could trade twice.
/// </summary>
public static class ExchangeIdentity
{
    public static string Of(ExchangeSettings exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return exchange.Kind == ExchangeKind.Paper
            ? "paper"
            : $"binance{(exchange.Testnet ? " testnet" : string.Empty)}, Secret {exchange.CredentialsSecret}";
    }
}
