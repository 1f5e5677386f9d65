using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CryptoIndex.LocalKube.Tests;

/// <summary>Shared helpers: manifests, CRD setup, JSON conversions, error parsing, watch recording.</summary>
internal static class TestSupport
{
    public const string Group = "finance.example.com";
    public const string Ver = "v1alpha1";
    public const string Plural = "indexfunds";
    public const string Ns = "default";

    /// <summary>Generous guard for waiting on something the test itself triggers; never what makes it happen.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(20);

    public static string Manifest(string name) => Path.Combine(AppContext.BaseDirectory, "Manifests", name);

    public static V1CustomResourceDefinition Crd(string file = "crd.yaml") =>
        KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(Manifest(file)));

    public static async Task<(LocalKubeCluster Cluster, IKubernetes Client)> StartWithCrdAsync(LocalKubeOptions? options = null)
    {
        var cluster = await LocalKubeCluster.StartAsync(options);
        var client = cluster.CreateClient();
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd());
        await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd("widget-crd.yaml"));
        return (cluster, client);
    }

    public static JsonObject Fund(string name, string index = "SP500", int? replicas = null, Dictionary<string, string>? labels = null)
    {
        var spec = new JsonObject { ["index"] = index };
        if (replicas is not null)
        {
            spec["replicas"] = replicas;
        }

        var meta = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            var l = new JsonObject();
            foreach (var (k, v) in labels)
            {
                l[k] = v;
            }

            meta["labels"] = l;
        }

        return new JsonObject
        {
            ["apiVersion"] = Group + "/" + Ver,
            ["kind"] = "IndexFund",
            ["metadata"] = meta,
            ["spec"] = spec,
        };
    }

    public static JsonObject Node(object? o) => o switch
    {
        JsonObject j => j,
        JsonElement e => JsonNode.Parse(e.GetRawText())!.AsObject(),
        _ => JsonSerializer.SerializeToNode(o)!.AsObject(),
    };

    public static async Task<JsonObject> CreateFund(this IKubernetes client, JsonObject body, string ns = Ns) =>
        Node(await client.CustomObjects.CreateNamespacedCustomObjectAsync(body, Group, Ver, ns, Plural));

    public static async Task<JsonObject> GetFund(this IKubernetes client, string name, string ns = Ns) =>
        Node(await client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Ver, ns, Plural, name));

    public static async Task<JsonObject> MergeFund(this IKubernetes client, string name, string patch, bool status = false, string ns = Ns)
    {
        var p = new V1Patch(patch, V1Patch.PatchType.MergePatch);
        return Node(status
            ? await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(p, Group, Ver, ns, Plural, name)
            : await client.CustomObjects.PatchNamespacedCustomObjectAsync(p, Group, Ver, ns, Plural, name));
    }

    public static string Rv(JsonObject o) => o["metadata"]!["resourceVersion"]!.GetValue<string>();

    public static long Generation(JsonObject o) => o["metadata"]!["generation"]!.GetValue<long>();

    /// <summary>Runs a call expected to fail and returns the HTTP status and the parsed Status body.</summary>
    public static async Task<(int Code, JsonObject Status)> Fails(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        var content = e.Response.Content;
        var status = string.IsNullOrEmpty(content) ? new JsonObject() : JsonNode.Parse(content)!.AsObject();
        return ((int)e.Response.StatusCode, status);
    }

    public static HttpClient Http(LocalKubeCluster cluster) => new() { BaseAddress = cluster.Url };

    public static async Task<(int Code, JsonObject Body, HttpResponseMessage Response)> SendAsync(
        this LocalKubeCluster cluster, HttpMethod method, string path, string? body = null, string contentType = "application/json", string? accept = null)
    {
        using var http = Http(cluster);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var node = text.StartsWith('{') ? JsonNode.Parse(text)!.AsObject() : new JsonObject { ["text"] = text };
        return ((int)response.StatusCode, node, response);
    }
}

/// <summary>Consumes a C# client watch in the background so tests can await events one by one.</summary>
internal sealed class WatchRecorder : IAsyncDisposable
{
    private readonly Channel<(WatchEventType Type, JsonObject Object)> _events = Channel.CreateUnbounded<(WatchEventType, JsonObject)>();
    private readonly CancellationTokenSource _cts = new();
    private readonly Task _pump;

    public WatchRecorder(Func<CancellationToken, IAsyncEnumerable<(WatchEventType, object)>> start)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var (type, obj) in start(_cts.Token))
                {
                    _events.Writer.TryWrite((type, TestSupport.Node(obj)));
                }

                _events.Writer.TryComplete();
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
            {
                _events.Writer.TryComplete(e);
            }
        });
    }

    public List<Exception> Errors { get; } = [];

    public static WatchRecorder Funds(IKubernetes client, string? resourceVersion = null, string? labelSelector = null,
        string? fieldSelector = null, bool? bookmarks = null, int? timeoutSeconds = null, string ns = TestSupport.Ns)
    {
        WatchRecorder? self = null;
        self = new WatchRecorder(ct => client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            TestSupport.Group, TestSupport.Ver, ns, TestSupport.Plural,
            allowWatchBookmarks: bookmarks, fieldSelector: fieldSelector, labelSelector: labelSelector,
            resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
            onError: e => self!.Errors.Add(e), cancellationToken: ct));
        return self;
    }

    public async Task<(WatchEventType Type, JsonObject Object)> NextAsync()
    {
        using var guard = new CancellationTokenSource(TestSupport.Guard);
        return await _events.Reader.ReadAsync(guard.Token);
    }

    /// <summary>Waits for the stream to end; returns the events that were still queued.</summary>
    public async Task<List<(WatchEventType Type, JsonObject Object)>> EndAsync()
    {
        using var guard = new CancellationTokenSource(TestSupport.Guard);
        var rest = new List<(WatchEventType, JsonObject)>();
        await foreach (var e in _events.Reader.ReadAllAsync(guard.Token))
        {
            rest.Add(e);
        }

        return rest;
    }

    public async Task<Exception?> FailureAsync()
    {
        try
        {
            await EndAsync();
            return null;
        }
#pragma warning disable CA1031 // the test inspects whatever the client threw
        catch (Exception e)
#pragma warning restore CA1031
        {
            return e;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }

        _cts.Dispose();
    }
}
