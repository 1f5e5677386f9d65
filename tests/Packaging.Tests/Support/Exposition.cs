namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// A scrape in Prometheus' text format: the metric families (from <c># TYPE</c>) and the label names their samples
/// carry. Histogram samples (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>) belong to their family.
/// </summary>
public sealed class Exposition
{
    private readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _labels = new(StringComparer.Ordinal);

    /// <summary>Labels Prometheus adds to every series of a target (job, instance, Kubernetes discovery).</summary>
    public static readonly HashSet<string> TargetLabels = ["job", "instance", "namespace", "pod", "service", "endpoint", "container"];

    public Exposition(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                _types[parts[2]] = parts[3];
                _labels.TryAdd(parts[2], []);
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                var brace = line.IndexOf('{', StringComparison.Ordinal);
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                var name = brace >= 0 && brace < space ? line[..brace] : line[..space];
                var family = Family(name);
                if (family is not null && brace >= 0 && brace < space)
                {
                    _labels[family].UnionWith(LabelNames(line, brace));
                }
            }
        }
    }

    public IReadOnlyCollection<string> Families => _types.Keys;

    /// <summary>The family a series name belongs to (null if the scrape has none).</summary>
    public string? Family(string series)
    {
        if (_types.ContainsKey(series))
        {
            return series;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (series.EndsWith(suffix, StringComparison.Ordinal) && _types.TryGetValue(series[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return series[..^suffix.Length];
            }
        }

        return null;
    }

    public IReadOnlySet<string> Labels(string family) => _labels[family];

    private static IEnumerable<string> LabelNames(string line, int brace)
    {
        var i = brace + 1;
        while (i < line.Length && line[i] != '}')
        {
            var eq = line.IndexOf('=', i);
            yield return line[i..eq];
            i = eq + 2; // past ="
            while (line[i] != '"')
            {
                i += line[i] == '\\' ? 2 : 1;
            }

            i++; // closing quote
            if (line[i] == ',')
            {
                i++;
            }
        }
    }
}
