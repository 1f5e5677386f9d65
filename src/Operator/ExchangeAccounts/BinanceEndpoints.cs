using CryptoIndex.Exchanges.Binance;

namespace CryptoIndex.Operator.ExchangeAccounts;

/// <summary>
/// Where Binance's API is: production or the spot testnet, as the fund asks, unless the operator's configuration
/// overrides both (<c>Exchanges:Binance:BaseUrl</c>: a proxy, or a local fake in tests). <paramref name="Disabled"/>
/// says why Binance may not be used at all (the sandbox trades on paper only).
/// </summary>
public sealed record BinanceEndpoints(Uri? Override = null, string? Disabled = null)
{
    public Uri For(bool testnet) => Override ?? (testnet ? BinanceOptions.Testnet : BinanceOptions.Production);
}
