using CryptoIndex.Exchanges.Binance;

namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>
/// Where Binance's API is: production or the spot testnet, as the fund asks, unless the operator's configuration
/// overrides both (<c>Exchanges:Binance:BaseUrl</c>: a proxy, or a local fake in tests).
/// </summary>
public sealed record BinanceEndpoints(Uri? Override = null)
{
    public Uri For(bool testnet) => Override ?? (testnet ? BinanceOptions.Testnet : BinanceOptions.Production);
}
