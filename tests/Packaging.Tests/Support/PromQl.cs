using System.Text.RegularExpressions;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>A metric selector in a PromQL expression: the metric name and the label names its matchers use.</summary>
public sealed record MetricSelector(string Metric, IReadOnlyList<string> Labels);

/// <summary>
/// Just enough PromQL reading to check expressions against a scrape: which metrics they select, with which label
/// matchers, and which labels they group by. Grafana variables are replaced by plausible values first.
/// </summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Grouping = ["by", "without", "on", "ignoring", "group_left", "group_right"];
    // Binary operators, modifiers and aggregation operators (which may be followed by "by (...)" before their "(").
    private static readonly HashSet<string> Keywords =
    [
        "and", "or", "unless", "bool", "offset", "inf", "nan", "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
        "count_values", "bottomk", "topk", "quantile",
    ];

    /// <summary>The expression with Grafana's variables replaced, so promtool can parse it.</summary>
    public static string WithoutGrafanaVariables(string expr) =>
        Variable().Replace(expr.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$__range", "1h", StringComparison.Ordinal)
            .Replace("$__interval", "1m", StringComparison.Ordinal).Replace("$drift_threshold", "0.05", StringComparison.Ordinal), "x");

    public static (IReadOnlyList<MetricSelector> Selectors, IReadOnlyList<string> GroupingLabels) Analyze(string expr)
    {
        var text = RangeOrSubquery().Replace(WithoutGrafanaVariables(expr), " ");
        var selectors = new List<MetricSelector>();
        var grouping = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"' || c == '\'')
            {
                i = SkipString(text, i);
            }
            else if (char.IsDigit(c) || (c == '.' && i + 1 < text.Length && char.IsDigit(text[i + 1])))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '.'))
                {
                    i++; // numbers and durations (15m, 1e3)
                }
            }
            else if (char.IsLetter(c) || c == '_' || c == ':')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or ':'))
                {
                    i++;
                }

                var word = text[start..i];
                var next = SkipSpaces(text, i);
                if (Grouping.Contains(word))
                {
                    if (next < text.Length && text[next] == '(')
                    {
                        var close = text.IndexOf(')', next);
                        grouping.AddRange(text[(next + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                        i = close + 1;
                    }
                }
                else if (Keywords.Contains(word) || (next < text.Length && text[next] == '('))
                {
                    // an operator keyword, or a function call (its arguments are read as the loop goes on)
                }
                else if (next < text.Length && text[next] == '{')
                {
                    var (labels, end) = Matchers(text, next);
                    selectors.Add(new MetricSelector(word, labels));
                    i = end;
                }
                else
                {
                    selectors.Add(new MetricSelector(word, []));
                }
            }
            else
            {
                i++;
            }
        }

        return (selectors, grouping);
    }

    private static (List<string> Labels, int End) Matchers(string text, int open)
    {
        var labels = new List<string>();
        var i = open + 1;
        while (i < text.Length && text[i] != '}')
        {
            if (text[i] is '"' or '\'')
            {
                i = SkipString(text, i);
                continue;
            }

            var m = LabelMatcher().Match(text, i);
            if (m.Success && m.Index == i)
            {
                labels.Add(m.Groups[1].Value);
                i += m.Length;
                continue;
            }

            i++;
        }

        return (labels, i + 1);
    }

    private static int SkipString(string text, int i)
    {
        var quote = text[i++];
        while (i < text.Length && text[i] != quote)
        {
            i += text[i] == '\\' ? 2 : 1;
        }

        return i + 1;
    }

    private static int SkipSpaces(string text, int i)
    {
        while (i < text.Length && char.IsWhiteSpace(text[i]))
        {
            i++;
        }

        return i;
    }

    [GeneratedRegex(@"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex RangeOrSubquery();

    [GeneratedRegex(@"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)")]
    private static partial Regex LabelMatcher();
}
