namespace CryptoIndex.LocalKube;

/// <summary>
/// A kind the cluster should serve beyond its fixed built-ins (see <see cref="LocalKubeOptions.AdditionalKinds"/>).
/// It is stored without a schema (no pruning, defaulting or validation), gets generation semantics, the status
/// split when <paramref name="HasStatus"/> is set, strategic merge patch approximated by JSON merge patch, and the
/// default Name / Created At table.
/// </summary>
/// <param name="Group">API group ("" for core).</param>
/// <param name="Version">Version, e.g. "v1".</param>
/// <param name="Kind">Kind, e.g. "Deployment".</param>
/// <param name="Plural">Resource name, e.g. "deployments".</param>
/// <param name="Namespaced">Whether objects live in namespaces.</param>
/// <param name="HasStatus">Whether a /status subresource splits status writes.</param>
/// <param name="ShortNames">kubectl short names, e.g. "deploy".</param>
public sealed record ResourceKind(string Group, string Version, string Kind, string Plural, bool Namespaced = true,
    bool HasStatus = false, params string[] ShortNames)
{
    /// <summary>
    /// apps/v1 Deployment, Service, ServiceAccount and RBAC kinds: what operator manifests usually contain; and Pod, stored
    /// only (nothing schedules or runs one, and no Deployment makes any), for tools that list or wait on pods.
    /// </summary>
    public static IReadOnlyList<ResourceKind> CommonWorkloadKinds { get; } =
    [
        new("apps", "v1", "Deployment", "deployments", true, true, "deploy"),
        new(string.Empty, "v1", "Service", "services", true, true, "svc"),
        new(string.Empty, "v1", "ServiceAccount", "serviceaccounts", true, false, "sa"),
        new("rbac.authorization.k8s.io", "v1", "Role", "roles"),
        new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
        new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
        new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false),
        new("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, true, "pdb"),
        new(string.Empty, "v1", "Pod", "pods", true, true, "po"),
    ];
}
