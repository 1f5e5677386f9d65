using CryptoIndex.Engine.Backtesting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace CryptoIndex.Operator.Cli;

/// <summary>
/// The backtest chart as a PNG: a title, NAV lines per strategy (blue: fund rules, grey: buy and hold, orange: daily)
/// with a legend, the fund's rebalance days as rings, axes, the first/last dates, the NAV range and the data attribution, in a
/// small built-in 3×5 font (the drawing and font packages are not available here, so the few primitives needed are
/// drawn pixel by pixel).
/// </summary>
public static class PngChart
{
    private const int Width = 960;
    private const int Height = 420;
    private const int Left = 70;
    private const int Right = 20;
    private const int Top = 30;
    private const int Bottom = 40;

    /// <summary>
    /// Where the legend is drawn: one row in the top margin, above the plot, so that it never hides the lines (which end
    /// top right in a rising market); per strategy a swatch of its colour, then its name.
    /// </summary>
    public static readonly Rectangle LegendArea = new(Width - Right - LegendWidth, 4, LegendWidth, Top - 8);

    /// <summary>Where the title is written: the top margin left of the legend.</summary>
    public static readonly Rectangle TitleArea = new(Left, 4, (Width - Right - LegendWidth) - Left - 16, Top - 8);

    /// <summary>The attribution CoinGecko asks of those who show its data, as on the SVG chart.</summary>
    public const string Attribution = "DATA PROVIDED BY COINGECKO";

    private const int LegendWidth = 480;
    private const int SwatchWidth = 18;
    private static readonly Rgba32 Axis = new(60, 60, 60);
    private static readonly Rgba32 Muted = new(119, 119, 119);

    // Drawn in this order (the fund's line last, on top); the legend lists them in SvgChart's order (see Labels).
    private static readonly (BacktestStrategy Strategy, string Label, Rgba32 Colour)[] Styles =
    [
        (BacktestStrategy.BuyAndHold, "BUY AND HOLD", new Rgba32(127, 127, 127)),
        (BacktestStrategy.Daily, "DAILY REBALANCING", new Rgba32(255, 127, 14)),
        (BacktestStrategy.FundRules, "FUND RULES", new Rgba32(31, 119, 180)),
    ];

    // 3×5 glyphs, one row per string, '#' = ink: digits, '-', '.', and capitals for the legend and attribution.
    private static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['0'] = ["###", "#.#", "#.#", "#.#", "###"], ['1'] = [".#.", "##.", ".#.", ".#.", "###"],
        ['2'] = ["###", "..#", "###", "#..", "###"], ['3'] = ["###", "..#", "###", "..#", "###"],
        ['4'] = ["#.#", "#.#", "###", "..#", "..#"], ['5'] = ["###", "#..", "###", "..#", "###"],
        ['6'] = ["###", "#..", "###", "#.#", "###"], ['7'] = ["###", "..#", "..#", "..#", "..#"],
        ['8'] = ["###", "#.#", "###", "#.#", "###"], ['9'] = ["###", "#.#", "###", "..#", "###"],
        ['-'] = ["...", "...", "###", "...", "..."], ['.'] = ["...", "...", "...", "...", ".#."],
        [':'] = ["...", ".#.", "...", ".#.", "..."],
        [' '] = ["...", "...", "...", "...", "..."],
        ['A'] = [".#.", "#.#", "###", "#.#", "#.#"], ['B'] = ["##.", "#.#", "##.", "#.#", "##."],
        ['C'] = [".##", "#..", "#..", "#..", ".##"], ['D'] = ["##.", "#.#", "#.#", "#.#", "##."],
        ['E'] = ["###", "#..", "##.", "#..", "###"], ['F'] = ["###", "#..", "##.", "#..", "#.."],
        ['G'] = [".##", "#..", "#.#", "#.#", ".##"], ['H'] = ["#.#", "#.#", "###", "#.#", "#.#"],
        ['I'] = ["###", ".#.", ".#.", ".#.", "###"], ['J'] = ["..#", "..#", "..#", "#.#", ".#."],
        ['K'] = ["#.#", "#.#", "##.", "#.#", "#.#"], ['L'] = ["#..", "#..", "#..", "#..", "###"],
        ['M'] = ["#.#", "###", "###", "#.#", "#.#"], ['N'] = ["##.", "#.#", "#.#", "#.#", "#.#"],
        ['O'] = [".#.", "#.#", "#.#", "#.#", ".#."], ['P'] = ["##.", "#.#", "##.", "#..", "#.."],
        ['Q'] = [".#.", "#.#", "#.#", "##.", ".##"], ['R'] = ["##.", "#.#", "##.", "#.#", "#.#"],
        ['S'] = [".##", "#..", ".#.", "..#", "##."], ['T'] = ["###", ".#.", ".#.", ".#.", ".#."],
        ['U'] = ["#.#", "#.#", "#.#", "#.#", "###"], ['V'] = ["#.#", "#.#", "#.#", "#.#", ".#."],
        ['W'] = ["#.#", "#.#", "###", "###", "#.#"], ['X'] = ["#.#", "#.#", ".#.", "#.#", "#.#"],
        ['Y'] = ["#.#", "#.#", ".#.", ".#.", ".#."], ['Z'] = ["###", "..#", ".#.", "#..", "###"],
    };

    /// <summary>The legend's labels, in the order they are listed: the fund's rules, then the baselines.</summary>
    internal static IEnumerable<string> Labels => LegendOrder.Select(style => style.Label);

    private static IEnumerable<(BacktestStrategy Strategy, string Label, Rgba32 Colour)> LegendOrder =>
        [Styles[2], Styles[0], Styles[1]];

    /// <summary>Whether the built-in font can write <paramref name="text"/> (every label and date is checked by tests).</summary>
    public static bool CanWrite(string text) => text.All(Glyphs.ContainsKey);

    /// <summary>
    /// The title as the font can write it: upper case, characters it lacks left out, cut to the title area (the SVG
    /// chart carries the full one).
    /// </summary>
    public static string TitleText(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        var text = new string(title.ToUpperInvariant().Where(Glyphs.ContainsKey).ToArray());
        var fits = TitleArea.Width / 8;
        return text.Length <= fits ? text : text[..(fits - 3)] + "...";
    }

    public static void Write(string path, string title, IReadOnlyList<BacktestResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var image = new Image<Rgba32>(Width, Height, new Rgba32(255, 255, 255));
        var all = results.SelectMany(r => r.Series).ToList();
        var (min, max) = ((double)all.Min(p => p.Nav), (double)all.Max(p => p.Nav));
        var days = results[0].Series.Count;
        int X(int i) => Left + (int)Math.Round((Width - Left - Right) * (days <= 1 ? 0 : (double)i / (days - 1)));
        int Y(decimal nav) => Top + (int)Math.Round((Height - Top - Bottom) * (1 - (((double)nav - min) / Math.Max(max - min, 1e-9))));

        Line(image, Left, Height - Bottom, Width - Right, Height - Bottom, Axis, 1);
        Line(image, Left, Top, Left, Height - Bottom, Axis, 1);
        foreach (var (strategy, _, colour) in Styles)
        {
            if (results.FirstOrDefault(r => r.Strategy == strategy) is not { } result)
            {
                continue;
            }

            for (var i = 1; i < result.Series.Count; i++)
            {
                Line(image, X(i - 1), Y(result.Series[i - 1].Nav), X(i), Y(result.Series[i].Nav), colour, 2);
            }

            if (strategy == BacktestStrategy.FundRules)
            {
                for (var i = 0; i < result.Series.Count; i++)
                {
                    if (result.Series[i].Rebalanced)
                    {
                        // A ring, so that it shows on the line it sits on.
                        Dot(image, X(i), Y(result.Series[i].Nav), 4, colour);
                        Dot(image, X(i), Y(result.Series[i].Nav), 2, new Rgba32(255, 255, 255));
                    }
                }
            }
        }

        var series = results[0].Series;
        Text(image, Left, Height - Bottom + 10, series[0].Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var end = series[^1].Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Text(image, Width - Right - (end.Length * 8), Height - Bottom + 10, end);
        Text(image, 4, Top - 2, max.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        Text(image, 4, Height - Bottom - 8, min.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
        Text(image, Width - Right - (Attribution.Length * 8), Height - 12, Attribution, Muted);
        Text(image, TitleArea.X, TitleArea.Y + (TitleArea.Height / 2) - 5, TitleText(title));
        Legend(image, results);
        image.SaveAsPng(path);
    }

    private static void Legend(Image<Rgba32> image, IReadOnlyList<BacktestResult> results)
    {
        var x = LegendArea.X;
        var y = LegendArea.Y + (LegendArea.Height / 2);
        foreach (var (strategy, label, colour) in LegendOrder)
        {
            if (results.Any(r => r.Strategy == strategy))
            {
                Line(image, x, y, x + SwatchWidth, y, colour, 3);
                Text(image, x + SwatchWidth + 8, y - 5, label);
                x += SwatchWidth + 8 + (label.Length * 8) + 24;
            }
        }
    }

    /// <summary>Bresenham's line, <paramref name="thickness"/> pixels wide.</summary>
    private static void Line(Image<Rgba32> image, int x0, int y0, int x1, int y1, Rgba32 colour, int thickness)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, error = dx + dy;
        while (true)
        {
            Dot(image, x0, y0, thickness - 1, colour);
            if (x0 == x1 && y0 == y1)
            {
                return;
            }

            var twice = 2 * error;
            if (twice >= dy)
            {
                error += dy;
                x0 += sx;
            }

            if (twice <= dx)
            {
                error += dx;
                y0 += sy;
            }
        }
    }

    private static void Dot(Image<Rgba32> image, int cx, int cy, int radius, Rgba32 colour)
    {
        for (var y = cy - radius; y <= cy + radius; y++)
        {
            for (var x = cx - radius; x <= cx + radius; x++)
            {
                if (x >= 0 && y >= 0 && x < image.Width && y < image.Height && ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= radius * radius)
                {
                    image[x, y] = colour;
                }
            }
        }
    }

    private static void Text(Image<Rgba32> image, int x, int y, string text) => Text(image, x, y, text, Axis);

    private static void Text(Image<Rgba32> image, int x, int y, string text, Rgba32 ink)
    {
        foreach (var character in text)
        {
            if (Glyphs.TryGetValue(character, out var rows))
            {
                for (var row = 0; row < 5; row++)
                {
                    for (var column = 0; column < 3; column++)
                    {
                        if (rows[row][column] == '#')
                        {
                            Dot(image, x + (column * 2), y + (row * 2), 0, ink);
                            Dot(image, x + (column * 2) + 1, y + (row * 2), 0, ink);
                            Dot(image, x + (column * 2), y + (row * 2) + 1, 0, ink);
                            Dot(image, x + (column * 2) + 1, y + (row * 2) + 1, 0, ink);
                        }
                    }
                }
            }

            x += 8;
        }
    }
}
