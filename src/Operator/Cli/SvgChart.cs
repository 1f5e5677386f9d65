using System.Globalization;
using System.Text;
using CryptoIndex.Engine.Backtesting;

namespace CryptoIndex.Operator.Cli;

/// <summary>NAV over time for each strategy as an SVG line chart, with the fund's rebalance days marked.</summary>
public static class SvgChart
{
    private const int Width = 960;
    private const int Height = 420;
    private const int Left = 80;
    private const int Right = 20;
    private const int Top = 40;
    private const int Bottom = 40;

    private static readonly (BacktestStrategy Strategy, string Label, string Colour)[] Styles =
    [
        (BacktestStrategy.FundRules, "fund rules", "#1f77b4"),
        (BacktestStrategy.BuyAndHold, "buy and hold", "#7f7f7f"),
        (BacktestStrategy.Daily, "daily rebalancing", "#ff7f0e"),
    ];

    public static string Render(string title, IReadOnlyList<BacktestResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var all = results.SelectMany(r => r.Series).ToList();
        var (minNav, maxNav) = ((double)all.Min(p => p.Nav), (double)all.Max(p => p.Nav));
        var days = results[0].Series.Count;
        double X(int i) => Left + ((Width - Left - Right) * (days <= 1 ? 0 : (double)i / (days - 1)));
        double Y(decimal nav) => Top + ((Height - Top - Bottom) * (1 - (((double)nav - minNav) / Math.Max(maxNav - minNav, 1e-9))));
        string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n<text x=\"{Left}\" y=\"22\" font-size=\"15\">{Escape(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>\n<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{N(Y((decimal)maxNav)) }\" text-anchor=\"end\">{maxNav:0}</text>\n<text x=\"{Left - 6}\" y=\"{N(Y((decimal)minNav))}\" text-anchor=\"end\">{minNav:0}</text>\n");
        var series = results[0].Series;
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Height - 20}\">{series[0].Date:yyyy-MM-dd}</text>\n<text x=\"{Width - Right}\" y=\"{Height - 20}\" text-anchor=\"end\">{series[^1].Date:yyyy-MM-dd}</text>\n");

        var legend = 0;
        foreach (var (strategy, label, colour) in Styles)
        {
            if (results.FirstOrDefault(r => r.Strategy == strategy) is not { } result)
            {
                continue;
            }

            var points = string.Join(' ', result.Series.Select((p, i) => $"{N(X(i))},{N(Y(p.Nav))}"));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"{strategy}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{points}\"/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - 150}\" y=\"{Top + 14 + (16 * legend++)}\" fill=\"{colour}\">{label}</text>\n");
            if (strategy == BacktestStrategy.FundRules)
            {
                foreach (var (point, i) in result.Series.Select((p, i) => (p, i)).Where(x => x.p.Rebalanced))
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"rebalance\" cx=\"{N(X(i))}\" cy=\"{N(Y(point.Nav))}\" r=\"3\" fill=\"{colour}\"><title>rebalanced {point.Date:yyyy-MM-dd}</title></circle>\n");
                }
            }
        }

        svg.Append("<text x=\"" + (Width - Right) + "\" y=\"" + (Height - 4) + "\" text-anchor=\"end\" font-size=\"10\" fill=\"#777\">Data provided by CoinGecko</text>\n</svg>\n");
        return svg.ToString();
    }

    private static string Escape(string text) => System.Security.SecurityElement.Escape(text) ?? string.Empty;
}
