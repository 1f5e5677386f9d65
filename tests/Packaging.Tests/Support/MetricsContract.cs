namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>Checks that a PromQL expression uses only metrics, and labels of them, that a scrape of the operator has.</summary>
public static class MetricsContract
{
    public static IEnumerable<string> Problems(Exposition scrape, string expr)
    {
        ArgumentNullException.ThrowIfNull(scrape);
        var (selectors, grouping) = PromQl.Analyze(expr);
        var known = new HashSet<string>(Exposition.TargetLabels, StringComparer.Ordinal);
        foreach (var selector in selectors)
        {
            var family = scrape.Family(selector.Metric);
            if (family is null)
            {
                yield return $"{selector.Metric} is not exported by the operator (in: {expr})";
                continue;
            }

            var labels = new HashSet<string>(scrape.Labels(family), StringComparer.Ordinal);
            if (labels.Count == 0)
            {
                yield return $"{selector.Metric} is declared but has no series in a scrape of a fund-holding operator (in: {expr})";
                continue;
            }

            if (selector.Metric.EndsWith("_bucket", StringComparison.Ordinal))
            {
                labels.Add("le");
            }

            foreach (var label in selector.Labels.Where(l => !labels.Contains(l) && !Exposition.TargetLabels.Contains(l)))
            {
                yield return $"{selector.Metric} has no label {label} (it has {string.Join(", ", labels)}; in: {expr})";
            }

            known.UnionWith(labels);
        }

        foreach (var label in grouping.Where(l => !known.Contains(l)))
        {
            yield return $"grouping by {label}, which none of the selected metrics has (in: {expr})";
        }
    }
}
