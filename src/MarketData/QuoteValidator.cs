using System.Globalization;
using CryptoIndex.Engine;

namespace CryptoIndex.MarketData;

/// <summary>
/// Decides which values from a source are accepted: prices and market caps positive and within the Engine's range,
/// observed neither in the future nor before the value already accepted, and a price no further than
/// <see cref="MaxJumpFactor"/> from the last accepted one (a feed glitch, a redenomination or a wrong id would otherwise
/// reach the planner and trade). Pure: the time is an argument.
/// </summary>
public sealed class QuoteValidator
{
    /// <summary>How far ahead of the operator's clock a source's timestamp may be.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(1);

    public QuoteValidator(decimal maxJumpFactor)
    {
        if (maxJumpFactor != 0m && maxJumpFactor < 1m)
        {
            throw new ArgumentOutOfRangeException(nameof(maxJumpFactor), maxJumpFactor, "the jump bound must be 0 (off) or at least 1");
        }

        MaxJumpFactor = maxJumpFactor;
    }

    /// <summary>A price more than this many times above, or below 1/this of, the last accepted price is rejected; 0 disables.</summary>
    public decimal MaxJumpFactor { get; }

    /// <param name="raw">The value read.</param>
    /// <param name="source">The source's name, for messages.</param>
    /// <param name="lastAccepted">The asset's last accepted quote, if any.</param>
    /// <param name="reportsMarketCaps">False for a source without market caps: the last known one is then scaled.</param>
    /// <param name="now">The operator's time.</param>
    /// <param name="allowJump">True when a jump has persisted long enough to be taken as the new level.</param>
    public (PriceQuote? Accepted, PriceRejection? Rejected) Validate(
        RawQuote raw, string source, PriceQuote? lastAccepted, bool reportsMarketCaps, DateTimeOffset now, bool allowJump = false)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var problem = CheckValues(raw) ?? CheckTime(raw, lastAccepted, now) ?? (allowJump ? null : CheckJump(raw, lastAccepted));
        if (problem is { } rejection)
        {
            return (null, PriceRejection.For(raw.Asset, source, rejection.Reason, rejection.Detail));
        }

        var (marketCap, origin) = MarketCapFor(raw, lastAccepted, reportsMarketCaps);
        return marketCap is > Limits.MaxMarketCap
            ? (null, PriceRejection.For(raw.Asset, source, RejectionReason.OutOfRange, $"estimated market cap {Text(marketCap.Value)} is above {Text(Limits.MaxMarketCap)}"))
            : (new PriceQuote(raw.Symbol, raw.Price, marketCap, raw.ObservedAt, source, origin), null);
    }

    private static (RejectionReason Reason, string Detail)? CheckValues(RawQuote raw)
    {
        if (raw.Price <= 0m)
        {
            return (RejectionReason.NonPositivePrice, $"price {Text(raw.Price)} is not positive");
        }

        if (raw.Price is < Limits.MinPrice or > Limits.MaxPrice)
        {
            return (RejectionReason.OutOfRange, $"price {Text(raw.Price)} is outside {Text(Limits.MinPrice)}..{Text(Limits.MaxPrice)}");
        }

        if (raw.MarketCap is { } cap && cap <= 0m)
        {
            return (RejectionReason.NonPositiveMarketCap, $"market cap {Text(cap)} is not positive");
        }

        return raw.MarketCap is { } marketCap && marketCap is < Limits.MinMarketCap or > Limits.MaxMarketCap
            ? (RejectionReason.OutOfRange, $"market cap {Text(marketCap)} is outside {Text(Limits.MinMarketCap)}..{Text(Limits.MaxMarketCap)}")
            : null;
    }

    private static (RejectionReason Reason, string Detail)? CheckTime(RawQuote raw, PriceQuote? lastAccepted, DateTimeOffset now)
    {
        // A future time would keep a price "fresh" forever; an earlier one would replace newer data with older.
        if (raw.ObservedAt > now + MaxClockSkew)
        {
            return (RejectionReason.BadTimestamp, $"observed at {raw.ObservedAt:O}, in the future");
        }

        return lastAccepted is not null && raw.ObservedAt < lastAccepted.ObservedAt
            ? (RejectionReason.BadTimestamp, $"observed at {raw.ObservedAt:O}, before the accepted price of {lastAccepted.ObservedAt:O}")
            : null;
    }

    private (RejectionReason Reason, string Detail)? CheckJump(RawQuote raw, PriceQuote? lastAccepted)
    {
        if (lastAccepted is null || MaxJumpFactor == 0m)
        {
            return null;
        }

        // Divisions only (the bound is ≥ 1), so no extreme value can overflow.
        var jumped = raw.Price / MaxJumpFactor > lastAccepted.Price || raw.Price < lastAccepted.Price / MaxJumpFactor;
        return jumped
            ? (RejectionReason.AbsurdJump,
                $"price {Text(raw.Price)} is more than {Text(MaxJumpFactor)}× away from the last accepted {Text(lastAccepted.Price)}")
            : null;
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
            // previous ≤ 10^18 and the ratio is bounded by the checks above, but not when the jump check is off.
            var ratio = raw.Price / lastAccepted.Price;
            return ratio > Limits.MaxMarketCap / previous
                ? (decimal.MaxValue, MarketCapOrigin.Estimated)
                : (decimal.Round(previous * ratio, 2, MidpointRounding.ToEven), MarketCapOrigin.Estimated);
        }

        return (null, MarketCapOrigin.None);
    }

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
