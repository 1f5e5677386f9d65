using System.Globalization;
using System.Net;
using System.Text.Json;

namespace CryptoIndex.Exchanges.Binance;

/// <summary>
/// Maps Binance's HTTP statuses and error codes to <see cref="ExchangeErrorKind"/> with a message a person can act on.
/// See README, "Binance error mapping".
/// </summary>
internal static class BinanceErrors
{
    public const int NoSuchOrder = -2013;

    public static ExchangeException Map(string operation, bool isOrder, HttpStatusCode status, string body, TimeSpan? retryAfter, BinanceCredentials? credentials)
    {
        var (code, message) = Parse(body);
        message = OneLine(credentials?.Redact(message) ?? message);
        if (message.Length > 200)
        {
            message = message[..200];
        }

        var http = (int)status;
        var detail = code is { } c
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {http}, code {c}: {message}")
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {http}");
        var (kind, reason) = (http, code) switch
        {
            (418, _) => (ExchangeErrorKind.IpBanned, "IP banned for exceeding rate limits" + RetryText(retryAfter)),
            (429, _) or (_, -1003) => (ExchangeErrorKind.RateLimited, "rate limit exceeded" + RetryText(retryAfter)),
            // Binance's web application firewall refuses the request before it reaches the exchange: try later.
            (403, _) => (ExchangeErrorKind.RateLimited, "request blocked by Binance's web application firewall (WAF limit); try later" + RetryText(retryAfter)),
            (>= 500, _) or (_, -1006 or -1007) => isOrder
                ? (ExchangeErrorKind.OutcomeUnknown, "no definite answer; the order may have executed")
                : (ExchangeErrorKind.Unavailable, "Binance is unavailable"),
            (_, -1021) => (ExchangeErrorKind.InvalidTimestamp, "request timestamp outside the receive window (clock offset); the clock is measured again"),
            (_, -1013) => (ExchangeErrorKind.FilterFailure, "the order breaks a symbol filter"),
            (_, -2010) when Contains(message, "insufficient balance") => (ExchangeErrorKind.InsufficientBalance, "insufficient balance for the order"),
            (_, -2010) when Contains(message, "duplicate") => (ExchangeErrorKind.DuplicateOrder, "an open order already has this client order id"),
            (_, -2010) => (ExchangeErrorKind.Rejected, "new order rejected"),
            (_, NoSuchOrder) => (ExchangeErrorKind.Rejected, "no such order"),
            (401, _) or (_, -1022 or -2014 or -2015) => (ExchangeErrorKind.Unauthorized, "API key, permissions or signature refused"),
            // -1100 … -1199: the request's parameters were refused before it reached the matching engine.
            (_, <= -1100 and >= -1199) => (ExchangeErrorKind.Rejected, "request refused"),
            // Anything else on an order does not say that the order was refused: look it up before deciding.
            _ when isOrder => (ExchangeErrorKind.OutcomeUnknown, "unrecognised answer; the order may have executed"),
            _ => (ExchangeErrorKind.Rejected, "request refused"),
        };
        return new ExchangeException(kind, $"Binance {operation}: {reason} ({detail})", code, http, retryAfter);
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        return header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
    }

    private static (int? Code, string Message) Parse(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("code", out var code) && code.TryGetInt32(out var value)
                ? (value, root.TryGetProperty("msg", out var msg) ? msg.GetString() ?? string.Empty : string.Empty)
                : (null, string.Empty);
        }
        catch (JsonException)
        {
            return (null, string.Empty);
        }
    }

    /// <summary>
    /// The exchange's text as one line: it goes into status, Events and log lines, where a line break or a terminal
    /// escape from the answer could forge a log line or rewrite what <c>kubectl describe</c> shows.
    /// </summary>
    private static string OneLine(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)) : text;

    private static bool Contains(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    private static string RetryText(TimeSpan? retryAfter) =>
        retryAfter is { } wait ? string.Create(CultureInfo.InvariantCulture, $"; retry after {wait.TotalSeconds:0}s") : string.Empty;
}
