namespace CryptoIndex.Operator.Runtime;

/// <summary>
/// What a controller watches: a custom resource by group, version and plural. <see cref="Namespace"/> restricts a
/// namespaced resource to one namespace; null watches all namespaces (or the cluster, when not namespaced).
/// </summary>
public sealed record ResourceType(string Group, string Version, string Plural, bool Namespaced = true)
{
    /// <summary>One namespace to watch, or null for all.</summary>
    public string? Namespace { get; init; }

    /// <summary>Optional label selector for list and watch.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>The <c>apiVersion</c> value, e.g. <c>test.cryptoindex.io/v1</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public override string ToString() => Plural + "." + Group;
}
