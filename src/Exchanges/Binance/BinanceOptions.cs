namespace CryptoIndex.Exchanges.Binance;

/// <summary>
/// Binance spot settings. <see cref="RecvWindow"/> bounds how long after its timestamp an order can be accepted
/// (Binance allows up to 60 s; the default is Binance's 5 s). Reads (exchange info, account, order look-ups) are retried
/// <see cref="ReadRetries"/> times on timeouts and 5xx; orders never are.
/// </summary>
public sealed record BinanceOptions
{
    public static readonly Uri Production = new("https://api.binance.com/");

    /// <summary>The spot testnet (keys via GitHub login at testnet.binance.vision).</summary>
    public static readonly Uri Testnet = new("https://testnet.binance.vision/");

    public Uri BaseAddress { get; init; } = Production;

    public string QuoteAsset { get; init; } = "USDT";

    public TimeSpan RecvWindow { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ExchangeInfoTtl { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan TimeSyncInterval { get; init; } = TimeSpan.FromMinutes(10);

    public int ReadRetries { get; init; } = 3;

    public TimeSpan ReadRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Margin added to the receive window before a missing order is taken as never accepted (clock offset error).</summary>
    public TimeSpan ClockMargin { get; init; } = TimeSpan.FromSeconds(1);
}
