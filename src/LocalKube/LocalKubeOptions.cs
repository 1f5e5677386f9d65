namespace CryptoIndex.LocalKube;

/// <summary>Settings of a <see cref="LocalKubeCluster"/>; the defaults behave like a real API server.</summary>
public sealed record LocalKubeOptions
{
    /// <summary>Clock for timestamps, ages, watch timeouts and bookmarks (use a FakeTimeProvider to control them).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Version reported by <c>/version</c> (major.minor).</summary>
    public string KubernetesVersion { get; init; } = "1.35";

    /// <summary>How long a watch without <c>timeoutSeconds</c> stays open (real servers: 30–60 minutes).</summary>
    public TimeSpan DefaultWatchTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Period of BOOKMARK events on watches that allow them (real servers: about a minute).
    /// Tests can also send one at once with <see cref="LocalKubeCluster.SendBookmarks"/>.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Number of changes kept for watch replay; a watch from an older resourceVersion gets 410 Expired.</summary>
    public int WatchHistorySize { get; init; } = 10_000;

    /// <summary>Extra built-in kinds to serve (schemaless), e.g. apps/v1 Deployments for manifests a test applies.</summary>
    public IReadOnlyList<ResourceKind> AdditionalKinds { get; init; } = [];

    /// <summary>How many recent requests <see cref="LocalKubeCluster.Requests"/> keeps; 0 (tests) keeps every one, a
    /// long-running server (the sandbox) sets a limit so memory stays bounded.</summary>
    public int RequestLogLimit { get; init; }

    /// <summary>Port on 127.0.0.1 to listen on; 0 picks a free one (<see cref="LocalKubeCluster.Url"/> tells which).</summary>
    public int Port { get; init; }

    /// <summary>Namespaces that exist from the start.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];
}
