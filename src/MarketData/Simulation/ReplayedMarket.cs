using System.Globalization;
using CryptoIndex.Engine.Backtesting;

namespace CryptoIndex.MarketData.Simulation;

/// <summary>
/// Daily history replayed as a continuous market: at a time between two daily closes the price and market cap are
/// interpolated linearly (exactly, in decimal), so drift builds up smoothly while a fast clock runs through the days.
/// An asset is quoted only inside its own history.
/// </summary>
public sealed class ReplayedMarket
{
    private readonly Dictionary<string, SortedList<DateOnly, AssetClose>> series;

    public ReplayedMarket(IReadOnlyDictionary<string, IReadOnlyList<(DateOnly Date, AssetClose Close)>> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        series = history.ToDictionary(
            h => h.Key,
            h => new SortedList<DateOnly, AssetClose>(h.Value.ToDictionary(d => d.Date, d => d.Close)),
            StringComparer.Ordinal);
        var nonEmpty = series.Values.Where(s => s.Count > 0).ToList();
        FirstCommonDay = nonEmpty.Count > 0 ? nonEmpty.Max(s => s.Keys[0]) : null;
        LastCommonDay = nonEmpty.Count > 0 ? nonEmpty.Min(s => s.Keys[^1]) : null;
    }

    public IReadOnlyCollection<string> Symbols => series.Keys;

    /// <summary>The first day every asset has a close: where a replay naturally starts.</summary>
    public DateOnly? FirstCommonDay { get; }

    /// <summary>The last day every asset has a close: beyond it some assets have no price.</summary>
    public DateOnly? LastCommonDay { get; }

    /// <summary>The quote at <paramref name="time"/>, or null (with why) outside the asset's history.</summary>
    public (decimal Price, decimal? MarketCap)? Quote(string symbol, DateTimeOffset time, out string? missing)
    {
        missing = null;
        if (!series.TryGetValue(symbol, out var days) || days.Count == 0)
        {
            missing = "no history for this asset";
            return null;
        }

        var day = DateOnly.FromDateTime(time.UtcDateTime);
        var index = days.IndexOfKey(day);
        if (index < 0)
        {
            missing = string.Create(CultureInfo.InvariantCulture, $"no close on {day:yyyy-MM-dd} (history runs {days.Keys[0]:yyyy-MM-dd} to {days.Keys[^1]:yyyy-MM-dd})");
            return null;
        }

        var close = days.Values[index];
        if (index + 1 >= days.Count || days.Keys[index + 1] != day.AddDays(1))
        {
            return (close.Price, close.MarketCap);
        }

        var next = days.Values[index + 1];
        var fraction = (decimal)(time.UtcDateTime - day.ToDateTime(TimeOnly.MinValue)).Ticks / TimeSpan.TicksPerDay;
        return (
            decimal.Round(close.Price + ((next.Price - close.Price) * fraction), 12),
            close.MarketCap is { } cap && next.MarketCap is { } nextCap ? decimal.Round(cap + ((nextCap - cap) * fraction), 2) : close.MarketCap);
    }
}
