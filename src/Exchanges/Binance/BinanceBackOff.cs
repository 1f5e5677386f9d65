using System.Collections.Concurrent;
using System.Globalization;

namespace CryptoIndex.Exchanges.Binance;

/// <summary>
/// The rate-limit and ban back-offs Binance asked for (429 / 418, or 403, with Retry-After), per venue
/// (scheme, host and port of the base address). Binance counts weight and bans per IP, not per API key: every client
/// of one venue in this process (every fund's account and the public-data client) shares one instance, so a ban that
/// one of them received stops them all. A request during a ban makes Binance ban longer (2 minutes up to 3 days).
/// </summary>
public sealed class BinanceBackOff
{
    private readonly ConcurrentDictionary<string, Hold> holds = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records that <paramref name="venue"/> asked for no requests until <paramref name="until"/>; the latest deadline wins.</summary>
    public void Record(Uri venue, ExchangeErrorKind kind, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(venue);
        var hold = new Hold(kind, until);
        holds.AddOrUpdate(Key(venue), hold, (_, current) => until > current.Until ? hold : current);
    }

    /// <summary>
    /// Null when a request to <paramref name="venue"/> may be sent at <paramref name="now"/>; else the refusal to
    /// throw instead of sending it: the same kind Binance answered, with the time left as its Retry-After.
    /// </summary>
    public ExchangeException? Refusal(Uri venue, string operation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(venue);
        if (!holds.TryGetValue(Key(venue), out var hold) || hold.Until <= now)
        {
            return null;
        }

        var what = hold.Kind == ExchangeErrorKind.IpBanned ? "IP banned" : "rate limited";
        var left = hold.Until - now;
        return new ExchangeException(
            hold.Kind,
            string.Create(
                CultureInfo.InvariantCulture,
                $"Binance {operation}: not sent: {what} by Binance until {hold.Until.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}; retry after {Math.Ceiling(left.TotalSeconds):0}s"),
            retryAfter: left);
    }

    private static string Key(Uri venue) => venue.GetLeftPart(UriPartial.Authority);

    private sealed record Hold(ExchangeErrorKind Kind, DateTimeOffset Until);
}
