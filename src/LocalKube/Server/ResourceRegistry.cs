using System.Globalization;
using System.Text.RegularExpressions;

namespace CryptoIndex.LocalKube.Server;

/// <summary>
/// The served resource types: fixed built-ins plus the types of every established CRD. Discovery and the REST
/// router read it; CRD writes replace a CRD's entries atomically, so discovery changes the moment a CRD is written.
/// </summary>
internal sealed partial class ResourceRegistry
{
    private readonly Lock _gate = new();
    private readonly List<ResourceType> _builtIns;
    private Dictionary<string, IReadOnlyList<ResourceType>> _crds = new(StringComparer.Ordinal);

    public ResourceRegistry(IEnumerable<ResourceKind>? additional = null)
    {
        _builtIns =
        [
            BuiltIn(string.Empty, "v1", "namespaces", "Namespace", false, TypeFlavor.Namespace, ["ns"], hasStatus: true),
            BuiltIn(string.Empty, "v1", "configmaps", "ConfigMap", true, TypeFlavor.Plain, ["cm"]),
            BuiltIn(string.Empty, "v1", "secrets", "Secret", true, TypeFlavor.Plain, []),
            BuiltIn(string.Empty, "v1", "events", "Event", true, TypeFlavor.CoreEvent, ["ev"]),
            BuiltIn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, TypeFlavor.Crd, ["crd", "crds"], hasStatus: true),
            BuiltIn("coordination.k8s.io", "v1", "leases", "Lease", true, TypeFlavor.Lease, []),
            BuiltIn("events.k8s.io", "v1", "events", "Event", true, TypeFlavor.EventsV1Event, ["ev"]),
            BuiltIn("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", false, TypeFlavor.Review, []),
            BuiltIn("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", false, TypeFlavor.Review, []),
        ];
        foreach (var k in additional ?? [])
        {
            _builtIns.Add(BuiltIn(k.Group, k.Version, k.Plural, k.Kind, k.Namespaced, TypeFlavor.Generic, [.. k.ShortNames], k.HasStatus));
        }
    }

    private static ResourceType BuiltIn(string group, string version, string plural, string kind, bool namespaced,
        TypeFlavor flavor, string[] shortNames, bool hasStatus = false) => new()
    {
        Group = group,
        Version = version,
        Plural = plural,
        Singular = kind.ToLowerInvariant(),
        Kind = kind,
        ListKind = kind + "List",
        Namespaced = namespaced,
        Flavor = flavor,
        ShortNames = shortNames,
        HasStatus = hasStatus,
    };

    public IReadOnlyList<ResourceType> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _builtIns, .. _crds.Values.SelectMany(v => v)];
            }
        }
    }

    public ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    /// <summary>Any served version of the resource (used for cross-version storage events and GC).</summary>
    public ResourceType? FindByStorageKey(string storageKey) => All.FirstOrDefault(t => t.StorageKey == storageKey);

    public void SetCrd(string crdName, IReadOnlyList<ResourceType> types)
    {
        lock (_gate)
        {
            _crds = new Dictionary<string, IReadOnlyList<ResourceType>>(_crds, StringComparer.Ordinal) { [crdName] = types };
        }
    }

    public void RemoveCrd(string crdName)
    {
        lock (_gate)
        {
            var copy = new Dictionary<string, IReadOnlyList<ResourceType>>(_crds, StringComparer.Ordinal);
            copy.Remove(crdName);
            _crds = copy;
        }
    }

    /// <summary>Groups in discovery order (core excluded) with their versions sorted by Kubernetes version priority.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        All.Where(t => t.Group.Length > 0)
            .GroupBy(t => t.Group, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(t => t.Version).Distinct(StringComparer.Ordinal)
                .OrderBy(v => v, VersionPriority.Instance).ToList()))
            .ToList();

    /// <summary>Orders versions as Kubernetes does: GA before beta before alpha, higher numbers first, others last.</summary>
    internal sealed partial class VersionPriority : IComparer<string>
    {
        public static readonly VersionPriority Instance = new();

        public int Compare(string? x, string? y)
        {
            var kx = Key(x ?? string.Empty);
            var ky = Key(y ?? string.Empty);
            var c = kx.Rank.CompareTo(ky.Rank);
            if (c != 0)
            {
                return c;
            }

            c = ky.Major.CompareTo(kx.Major);
            if (c != 0)
            {
                return c;
            }

            c = ky.Minor.CompareTo(kx.Minor);
            return c != 0 ? c : string.CompareOrdinal(x, y);
        }

        private static (int Rank, int Major, int Minor) Key(string v)
        {
            var m = VersionRegex().Match(v);
            if (!m.Success)
            {
                return (3, 0, 0);
            }

            var major = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var minor = m.Groups[3].Success ? int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
            var rank = m.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
            return (rank, major, minor);
        }

        [GeneratedRegex("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$")]
        private static partial Regex VersionRegex();
    }
}
