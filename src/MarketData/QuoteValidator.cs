using System.Globalization;

namespace CryptoIndex.MarketData;

/// <summary>
/// Decides which values from a source are accepted: prices and market caps must be positive, and a price may not
/// move further than <see cref="MaxJumpFactor"/> from the last accepted price of that asset (a feed glitch, a
/// redenomination or a wrong id would otherwise reach the planner and trade). Pure: no clock, no I/O.
/// </summary>
public sealed class QuoteValidator(decimal maxJumpFactor)
{
    /// <summary>A price more than this many times above, or below 1/this of, the last accepted price is rejected; 0 disables.</summary>
    public decimal MaxJumpFactor { get; } = maxJumpFactor >= 0m ? maxJumpFactor : throw new ArgumentOutOfRangeException(nameof(maxJumpFactor));

    public (PriceQuote? Accepted, PriceRejection? Rejected) Validate(RawQuote raw, string source, PriceQuote? lastAccepted, bool reportsMarketCaps)
    {
        ArgumentNullException.ThrowIfNull(raw);
        if (raw.Price <= 0m)
        {
            return Reject(raw, source, RejectionReason.NonPositivePrice, $"price {Text(raw.Price)} is not positive");
        }

        if (raw.MarketCap is { } cap && cap <= 0m)
        {
            return Reject(raw, source, RejectionReason.NonPositiveMarketCap, $"market cap {Text(cap)} is not positive");
        }

        if (lastAccepted is not null && MaxJumpFactor > 0m)
        {
            var ratio = raw.Price / lastAccepted.Price;
            if (ratio > MaxJumpFactor || ratio * MaxJumpFactor < 1m)
            {
                return Reject(
                    raw,
                    source,
                    RejectionReason.AbsurdJump,
                    $"price {Text(raw.Price)} is {Text(decimal.Round(ratio, 4))}× the last accepted {Text(lastAccepted.Price)}, beyond the bound of {Text(MaxJumpFactor)}×");
            }
        }

        var (marketCap, origin) = MarketCapFor(raw, lastAccepted, reportsMarketCaps);
        return (new PriceQuote(raw.Symbol, raw.Price, marketCap, raw.ObservedAt, source, origin), null);
    }

    /// <summary>
    /// A source without market caps keeps market-cap weighting going by scaling the last known market cap by the price
    /// change (supply is taken as constant between refreshes); the quote says it is an estimate.
    /// </summary>
    private static (decimal? MarketCap, MarketCapOrigin Origin) MarketCapFor(RawQuote raw, PriceQuote? lastAccepted, bool reportsMarketCaps)
    {
        if (raw.MarketCap is { } reported)
        {
            return (reported, MarketCapOrigin.Reported);
        }

        if (!reportsMarketCaps && lastAccepted?.MarketCap is { } previous)
        {
            return (decimal.Round(previous * raw.Price / lastAccepted.Price, 2, MidpointRounding.ToEven), MarketCapOrigin.Estimated);
        }

        return (null, MarketCapOrigin.None);
    }

    private static (PriceQuote?, PriceRejection?) Reject(RawQuote raw, string source, RejectionReason reason, string message) =>
        (null, new PriceRejection(raw.Symbol, source, reason, $"{raw.Symbol} from {source}: {message}"));

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
