namespace CryptoIndex.MarketData;

/// <summary>
/// An asset as the price sources know it: the fund's ticker, CoinGecko's id (a slug such as <c>avalanche-2</c>, not a
/// ticker) and Binance's trading pair (such as <c>BTCUSDT</c>). A source skips an asset it has no id for.
/// </summary>
public sealed record AssetRef(string Symbol, string? CoinGeckoId = null, string? BinancePair = null);
