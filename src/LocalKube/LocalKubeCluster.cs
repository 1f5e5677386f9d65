using System.Net;
using CryptoIndex.LocalKube.Server;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.LocalKube;

/// <summary>
/// An in-process fake Kubernetes API server on 127.0.0.1 (random port) that the real KubernetesClient and kubectl
/// accept. Start one per test: <c>await using var cluster = await LocalKubeCluster.StartAsync();</c>, then use
/// <see cref="CreateClient()"/>, <see cref="WriteKubeconfig"/>, <see cref="Faults"/> and <see cref="Requests"/>.
/// See README.md in this folder for what is (and is not) supported.
/// </summary>
public sealed class LocalKubeCluster : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ApiServer _server;
    private readonly Task _bookmarks;

    private LocalKubeCluster(WebApplication app, ApiServer server, Uri url)
    {
        _app = app;
        _server = server;
        Url = url;
        _bookmarks = server.RunBookmarksAsync();
    }

    /// <summary>Base address, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Url { get; }

    /// <summary>Scriptable failures and watch disturbances.</summary>
    public FaultInjector Faults => _server.Faults;

    /// <summary>The tokens and non-resource rules that TokenReviews and SubjectAccessReviews are answered from.</summary>
    public AccessReviews AccessReviews => _server.AccessReviews;

    /// <summary>Every request answered so far, with counters by verb and resource.</summary>
    public RequestLog Requests => _server.Log;

    /// <summary>The cluster's clock (timestamps, ages, watch timeouts, bookmarks).</summary>
    public DateTimeOffset Now => _server.Time.GetUtcNow();

    /// <summary>The current global resourceVersion.</summary>
    public long ResourceVersion
    {
        get
        {
            lock (_server.Store.Gate)
            {
                return _server.Store.CurrentRv;
            }
        }
    }

    /// <summary>A kubeconfig for kubectl and the C# loader: one cluster, one context (namespace default), and a
    /// dummy token user (the C# loader rejects a user without credentials; the server ignores auth).</summary>
    public string KubeconfigYaml => KubeconfigFor(Url);

    /// <summary><see cref="KubeconfigYaml"/> of a cluster served at <paramref name="url"/> (to recognise a file it wrote).</summary>
    public static string KubeconfigFor(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: localkube
          cluster:
            server: {url.GetLeftPart(UriPartial.Authority)}
        users:
        - name: localkube
          user:
            token: localkube
        contexts:
        - name: localkube
          context:
            cluster: localkube
            user: localkube
            namespace: default
        current-context: localkube

        """;
    }

    /// <summary>Starts a cluster (well under a second). Many can run in one process.</summary>
    public static async Task<LocalKubeCluster> StartAsync(LocalKubeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalKubeOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LocalKubeCluster).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var server = new ApiServer(options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.EndsWith('/') ? address : address + "/");
        server.ServerAddress = url.Authority;
        return new LocalKubeCluster(app, server, url);
    }

    /// <summary>A KubernetesClient talking to this cluster (no kubeconfig needed).</summary>
    public IKubernetes CreateClient() =>
        new Kubernetes(new KubernetesClientConfiguration { Host = Url.GetLeftPart(UriPartial.Authority) });

    /// <summary>A KubernetesClient whose requests pass through <paramref name="handlers"/> (tests that break or watch the wire).</summary>
    public Kubernetes CreateClient(params DelegatingHandler[] handlers) =>
        new(new KubernetesClientConfiguration { Host = Url.GetLeftPart(UriPartial.Authority) }, handlers);

    /// <summary>Writes <see cref="KubeconfigYaml"/> to <paramref name="path"/> and returns the path.</summary>
    public string WriteKubeconfig(string path)
    {
        File.WriteAllText(path, KubeconfigYaml);
        return path;
    }

    /// <summary>
    /// Creates or updates every object of a (multi-document) YAML or JSON text, in order, like
    /// <c>kubectl apply --server-side --force-conflicts</c> (field manager "localkube"): handy to seed CRDs and
    /// resources. Namespaced objects without a namespace go to <paramref name="defaultNamespace"/>. The requests go
    /// through the normal HTTP pipeline, so they appear in <see cref="Requests"/> (call <c>Requests.Clear()</c>
    /// after seeding). Returns the stored objects.
    /// </summary>
    public async Task<IReadOnlyList<System.Text.Json.Nodes.JsonObject>> ApplyYamlAsync(string yaml, string defaultNamespace = "default",
        CancellationToken cancellationToken = default)
    {
        var results = new List<System.Text.Json.Nodes.JsonObject>();
        using var http = new HttpClient { BaseAddress = Url };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("localkube-apply/1.0");
        foreach (var doc in Patches.YamlJson.ParseAll(yaml))
        {
            var apiVersion = Json.Str(doc["apiVersion"]) ?? throw new ArgumentException("a document has no apiVersion", nameof(yaml));
            var kind = Json.Str(doc["kind"]) ?? throw new ArgumentException("a document has no kind", nameof(yaml));
            var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            var (group, version) = slash < 0 ? (string.Empty, apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
            var type = _server.Registry.All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Kind == kind)
                ?? throw new ArgumentException($"no matches for kind \"{kind}\" in version \"{apiVersion}\"", nameof(yaml));
            var name = Json.Name(doc);
            var ns = type.Namespaced ? (Json.Namespace(doc) is { Length: > 0 } n ? n : defaultNamespace) : null;
            var path = (group.Length == 0 ? "/api/v1" : $"/apis/{group}/{version}")
                + (ns is null ? string.Empty : $"/namespaces/{Uri.EscapeDataString(ns)}")
                + $"/{type.Plural}/{Uri.EscapeDataString(name)}?fieldManager=localkube&force=true";
            using var content = new StringContent(doc.ToJsonString());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");
            using var response = await http.PatchAsync(new Uri(path, UriKind.Relative), content, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"applying {kind} {name} failed with {(int)response.StatusCode}: {body}");
            }

            results.Add(System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject());
        }

        return results;
    }

    /// <summary>Sends a BOOKMARK now on every watch that allows bookmarks.</summary>
    public void SendBookmarks() => _server.SendBookmarks();

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        using var dispose = _server;
        await _bookmarks.ConfigureAwait(false);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
