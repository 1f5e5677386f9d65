namespace CryptoIndex.Operator.Sandbox;

/// <summary>The manifests of <c>config/samples</c>, built into the executable.</summary>
public static class EmbeddedSamples
{
    /// <summary>File name and text of each sample, in name order.</summary>
    public static IReadOnlyList<(string Name, string Yaml)> All()
    {
        var assembly = typeof(EmbeddedSamples).Assembly;
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("samples/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (n["samples/".Length..], reader.ReadToEnd());
            })];
    }
}
