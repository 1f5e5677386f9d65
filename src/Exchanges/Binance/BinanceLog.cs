using Microsoft.Extensions.Logging;

namespace CryptoIndex.Exchanges.Binance;

/// <summary>Binance client log lines: paths and outcomes, never query strings, headers or credentials.</summary>
internal static partial class BinanceLog
{
    [LoggerMessage(101, LogLevel.Debug, "Binance {Method} {Path}: HTTP {Status}")]
    public static partial void Answered(ILogger logger, string method, string path, int status);

    [LoggerMessage(102, LogLevel.Warning, "Binance {Method} {Path} failed: {Reason}")]
    public static partial void Failed(ILogger logger, string method, string path, string reason);

    [LoggerMessage(103, LogLevel.Information, "Binance server time offset {OffsetMs} ms")]
    public static partial void ClockSynced(ILogger logger, double offsetMs);

    [LoggerMessage(104, LogLevel.Information, "Binance {ClientOrderId}: commission {Commission} {Asset} paid by the account outside the fund (fund fees exclude it; the fund's {Symbol} and cash move by the full fills)")]
    public static partial void ExternalCommission(ILogger logger, string clientOrderId, decimal commission, string asset, string symbol);
}
