using System.Globalization;
using CryptoIndex.Engine.Backtesting;

namespace CryptoIndex.Operator.Cli;

/// <summary>
/// Days of history ready to replay, every data problem met on the way, in words, and the file read for each
/// constituent (in the constituents' order).
/// </summary>
public sealed record History(IReadOnlyList<MarketDay> Days, IReadOnlyList<string> Issues, IReadOnlyList<DataFile>? Files = null);

/// <summary>The export read for one constituent: its file name in the data folder and the SHA-256 of its bytes.</summary>
public sealed record DataFile(string Symbol, string Name, string Sha256);

/// <summary>
/// Reads CoinGecko CSV exports (<c>snapped_at,price,market_cap,total_volume</c>, one file per asset named
/// <c>&lt;symbol&gt;-usd-*.csv</c>, any case) into complete days. The rule for imperfect data, each case reported:
/// <list type="bullet">
/// <item>the replay runs from the first day every constituent has a price (and, for market-cap weighting, a market
/// cap) to the last day they all have one, narrowed by --from/--to;</item>
/// <item>a day missing for an asset inside that range takes the asset's previous close;</item>
/// <item>a zero or empty market cap takes the asset's previous market cap; a zero price takes the previous price;</item>
/// <item>a day on two rows of a file is kept once when the rows agree on what the replay uses, price and market cap
/// (total_volume is not read); when they differ neither can be trusted, so the day counts as missing (the previous
/// close), the file and both lines named.</item>
/// </list>
/// Two files for one constituent are refused, both named: which one is right cannot be guessed.
/// </summary>
public static class CoinGeckoHistory
{
    public static (History? History, string? Error) Load(
        string directory, IReadOnlyList<string> symbols, bool needsMarketCaps, DateOnly? from = null, DateOnly? to = null)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (!Directory.Exists(directory))
        {
            return (null, $"--data: folder '{directory}' does not exist");
        }

        var series = new Dictionary<string, SortedDictionary<DateOnly, AssetClose>>(StringComparer.Ordinal);
        var issues = new List<string>();
        var used = new List<DataFile>();
        foreach (var symbol in symbols)
        {
            var files = Directory.EnumerateFiles(directory, "*.csv")
                .Where(f => Path.GetFileName(f).StartsWith(symbol + "-usd-", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0)
            {
                return (null, $"--data: no file {symbol.ToLowerInvariant()}-usd-*.csv for constituent {symbol} in '{directory}'");
            }

            if (files.Count > 1)
            {
                return (null, $"--data: {files.Count} files for constituent {symbol} in '{directory}': "
                    + string.Join(", ", files.Select(Path.GetFileName)) + "; keep one");
            }

            var file = files[0];
            var (rows, error) = ReadFile(file, issues);
            if (error is not null)
            {
                return (null, error);
            }

            series[symbol] = rows!;
            used.Add(new DataFile(symbol, Path.GetFileName(file), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)))));
        }

        var (start, end, rangeError) = Range(series, needsMarketCaps, from, to, issues);
        return rangeError is not null ? (null, rangeError) : (new History(Fill(series, start, end, issues), issues, used), null);
    }

    private static (SortedDictionary<DateOnly, AssetClose>? Rows, string? Error) ReadFile(string file, List<string> issues)
    {
        var rows = new SortedDictionary<DateOnly, AssetClose>();
        var lines = new Dictionary<DateOnly, (int Line, AssetClose Close)>();
        var conflicting = new SortedDictionary<DateOnly, List<int>>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (lineNumber == 1 || line.Length == 0)
            {
                continue;
            }

            var cells = line.Split(',');
            if (cells.Length < 3
                || !DateOnly.TryParseExact(cells[0].Length >= 10 ? cells[0][..10] : cells[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                || !decimal.TryParse(cells[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var price))
            {
                return (null, $"{Path.GetFileName(file)} line {lineNumber}: expected 'YYYY-MM-DD hh:mm:ss UTC,price,market_cap,total_volume'");
            }

            decimal? cap = decimal.TryParse(cells[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed > 0m ? decimal.Round(parsed, 2) : null;
            var close = new AssetClose(price, cap);
            if (lines.TryGetValue(date, out var first))
            {
                // The last copy must not win silently: agreeing rows are one day, differing ones are no day at all. They
                // agree when the replay would read the same from them: the same numbers, however written (a tool that
                // rewrote part of the file may write 1500517590.0 for 1500517590), whatever their total_volume.
                if (close == first.Close && !conflicting.ContainsKey(date))
                {
                    issues.Add(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(file)} line {lineNumber}: {date:yyyy-MM-dd} repeats line {first.Line} with the same price and market cap; used once"));
                }
                else
                {
                    conflicting.TryAdd(date, [first.Line]);
                    conflicting[date].Add(lineNumber);
                    rows.Remove(date);
                }

                continue;
            }

            lines[date] = (lineNumber, close);
            rows[date] = close;
        }

        issues.AddRange(conflicting.Select(c =>
            string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(file)} lines {string.Join(" and ", c.Value)}: {c.Key:yyyy-MM-dd} appears with different values; neither is used, the day counts as missing")));
        return (rows, null);
    }

    private static (DateOnly Start, DateOnly End, string? Error) Range(
        Dictionary<string, SortedDictionary<DateOnly, AssetClose>> series, bool needsMarketCaps, DateOnly? from, DateOnly? to, List<string> issues)
    {
        var firsts = series.ToDictionary(s => s.Key, s => s.Value.FirstOrDefault(r => r.Value.Price > 0m && (!needsMarketCaps || r.Value.MarketCap is not null)).Key);
        var start = firsts.Values.Max();
        var end = series.Values.Min(s => s.Keys.Max());
        var (shared, sharedEnd) = (start, end); // the days every constituent has, before --from and --to
        var latest = firsts.Where(f => f.Value == start).Select(f => f.Key).Order(StringComparer.Ordinal).First();
        if (from is { } f && f > start)
        {
            start = f;
        }
        else if (from is { } asked && asked < start)
        {
            var before = series[latest].Where(r => r.Key < start && r.Key >= asked).Select(r => r.Value).ToList();
            var fileStart = series[latest].Keys.First();
            issues.Add(string.Create(CultureInfo.InvariantCulture, $"start moved from {asked:yyyy-MM-dd} to {start:yyyy-MM-dd}: ") + (before.Count == 0
                ? $"{latest} has no data before"
                : (fileStart > asked ? string.Create(CultureInfo.InvariantCulture, $"{latest}'s file starts on {fileStart:yyyy-MM-dd}, and its first {before.Count} day(s)") : $"{latest}'s {before.Count} day(s) before")
                    + $" have {Unusable(before, needsMarketCaps)}"));
        }
        else if (from is null && series[latest].Keys.First() < start)
        {
            // The file starts earlier, but its first rows are unusable (a zero price or market cap): say why they are skipped.
            var skipped = series[latest].Where(r => r.Key < start).Select(r => r.Value).ToList();
            issues.Add(string.Create(CultureInfo.InvariantCulture, $"start is {start:yyyy-MM-dd}, not {series[latest].Keys.First():yyyy-MM-dd}: {latest}'s first {skipped.Count} day(s) have {Unusable(skipped, needsMarketCaps)}"));
        }

        if (to is { } t && t < end)
        {
            end = t;
        }
        else if (to is { } askedEnd && askedEnd > end)
        {
            issues.Add(string.Create(CultureInfo.InvariantCulture, $"end moved from {askedEnd:yyyy-MM-dd} to {end:yyyy-MM-dd}: not every constituent has data after it"));
        }

        if (start <= end)
        {
            return (start, end, null);
        }

        var range = shared <= sharedEnd
            ? string.Create(CultureInfo.InvariantCulture, $"the constituents share data only from {shared:yyyy-MM-dd} ({latest} starts then) to {sharedEnd:yyyy-MM-dd}")
            : string.Create(CultureInfo.InvariantCulture, $"the constituents share no day of data ({latest} starts on {shared:yyyy-MM-dd}, after another ends on {sharedEnd:yyyy-MM-dd})");
        var request = (from, to) switch
        {
            ({ } a, { } b) => string.Create(CultureInfo.InvariantCulture, $"--from {a:yyyy-MM-dd} --to {b:yyyy-MM-dd} is outside it"),
            ({ } a, null) => string.Create(CultureInfo.InvariantCulture, $"--from {a:yyyy-MM-dd} is after it"),
            (null, { } b) => string.Create(CultureInfo.InvariantCulture, $"--to {b:yyyy-MM-dd} is before it"),
            _ => "so there is nothing to replay",
        };
        return (start, end, $"{range}; {request}");
    }

    /// <summary>
    /// What is missing on rows that cannot start the replay, as it is: "a price but no market cap (0 or empty)" when only
    /// the cap is missing, "no price (0 or empty)" when only the price is, both counted when it is some of each.
    /// </summary>
    private static string Unusable(List<AssetClose> rows, bool needsMarketCaps)
    {
        var noPrice = rows.Count(r => r.Price <= 0m);
        var noCap = needsMarketCaps ? rows.Count(r => r.Price > 0m && r.MarketCap is null) : 0;
        return (noPrice, noCap) switch
        {
            (0, _) => "a price but no market cap (0 or empty), which market-cap weighting needs",
            (_, 0) => "no price (0 or empty)",
            _ => $"no price (0 or empty) on {noPrice} and a price but no market cap (0 or empty) on {noCap}, which market-cap weighting needs",
        };
    }

    private static List<MarketDay> Fill(Dictionary<string, SortedDictionary<DateOnly, AssetClose>> series, DateOnly start, DateOnly end, List<string> issues)
    {
        var last = series.ToDictionary(s => s.Key, s => s.Value.LastOrDefault(r => r.Key < start && r.Value.Price > 0m).Value, StringComparer.Ordinal);
        var missingDays = series.Keys.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        var missingCaps = series.Keys.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        var days = new List<MarketDay>();
        for (var date = start; date <= end; date = date.AddDays(1))
        {
            var closes = new Dictionary<string, AssetClose>(StringComparer.Ordinal);
            foreach (var (symbol, rows) in series)
            {
                var previous = last[symbol];
                if (!rows.TryGetValue(date, out var close) || close.Price <= 0m)
                {
                    missingDays[symbol]++;
                    close = previous;
                }
                else if (close.MarketCap is null && previous.MarketCap is not null)
                {
                    missingCaps[symbol]++;
                    close = close with { MarketCap = previous.MarketCap };
                }

                closes[symbol] = close;
                last[symbol] = close;
            }

            days.Add(new MarketDay(date, closes));
        }

        issues.AddRange(missingDays.Where(m => m.Value > 0).Select(m => $"{m.Key}: {m.Value} day(s) without a price; the previous close was used"));
        issues.AddRange(missingCaps.Where(m => m.Value > 0).Select(m => $"{m.Key}: {m.Value} day(s) without a market cap; the previous market cap was used"));
        return days;
    }
}
