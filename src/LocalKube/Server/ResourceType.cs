using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>How a kind behaves on writes (mirrors the per-type strategies of the real apiserver registry).</summary>
internal enum TypeFlavor
{
    /// <summary>Custom resource served from a CRD (schema, status subresource, generation).</summary>
    Custom,

    /// <summary>apiextensions.k8s.io/v1 CustomResourceDefinition.</summary>
    Crd,

    /// <summary>coordination.k8s.io/v1 Lease: create-on-PUT, RV required on PUT.</summary>
    Lease,

    /// <summary>Core Namespace.</summary>
    Namespace,

    /// <summary>Core Event (field selectors on involvedObject).</summary>
    CoreEvent,

    /// <summary>events.k8s.io/v1 Event.</summary>
    EventsV1Event,

    /// <summary>Other built-ins (ConfigMap, Secret): unconditional PUT allowed.</summary>
    Plain,

    /// <summary>A kind added through <see cref="LocalKubeOptions.AdditionalKinds"/>: schemaless, generation and
    /// (optionally) the status split like a built-in workload, unconditional PUT allowed.</summary>
    Generic,

    /// <summary>TokenReview or SubjectAccessReview: create-only, answered from <see cref="AccessReviews"/>, never stored.</summary>
    Review,
}

/// <summary>A printer column of a CRD version (additionalPrinterColumns).</summary>
internal sealed record PrinterColumn(string Name, string Type, string Format, string Description, int Priority, string JsonPath);

/// <summary>One served group/version/resource: what discovery lists and what the REST handler dispatches on.</summary>
internal sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public required string ListKind { get; init; }

    public required bool Namespaced { get; init; }

    public required TypeFlavor Flavor { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool HasStatus { get; init; }

    /// <summary>openAPIV3Schema of this version (custom resources only).</summary>
    public JsonObject? Schema { get; init; }

    public IReadOnlyList<PrinterColumn> Columns { get; init; } = [];

    /// <summary>Warning sent with every request to a deprecated CRD version (null when not deprecated).</summary>
    public string? DeprecationWarning { get; init; }

    /// <summary>The CRD owning this type (null for built-ins).</summary>
    public string? CrdName { get; init; }

    /// <summary>Storage is shared by every version of a resource: keyed by group + plural, not version.
    /// events.k8s.io/v1 Events share the core Events storage, as in a real cluster.</summary>
    public string StorageKey => Flavor == TypeFlavor.EventsV1Event ? "/events" : Group + "/" + Plural;

    /// <summary>apiVersion of the stored shape (events.k8s.io/v1 Events are stored as core v1 Events).</summary>
    public string StorageApiVersion => Flavor == TypeFlavor.EventsV1Event ? "v1" : ApiVersion;

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public string QualifiedResource => Group.Length == 0 ? Plural : Plural + "." + Group;

    public bool HasGeneration => Flavor is TypeFlavor.Custom or TypeFlavor.Crd or TypeFlavor.Generic;

    /// <summary>Main endpoint keeps the stored status, /status changes only status.</summary>
    public bool SplitsStatus => HasStatus && Flavor is TypeFlavor.Custom or TypeFlavor.Crd or TypeFlavor.Generic;

    public bool AllowCreateOnUpdate => Flavor is TypeFlavor.Lease;

    public bool AllowUnconditionalUpdate => Flavor is not (TypeFlavor.Custom or TypeFlavor.Crd or TypeFlavor.Lease);

    /// <summary>CRs and CRDs answer a completed DELETE with a Status; built-ins return the deleted object.</summary>
    public bool DeleteReturnsStatus => Flavor is TypeFlavor.Custom or TypeFlavor.Crd;
}
