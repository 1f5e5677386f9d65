using System.Text;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Storage;
using Microsoft.AspNetCore.Http;

namespace CryptoIndex.LocalKube.Server;

/// <summary>
/// The HTTP semantics of the Kubernetes API server over an <see cref="ObjectStore"/>. One instance per cluster;
/// all reads and writes of stored objects happen under the store lock, so every request is atomic.
/// </summary>
internal sealed partial class ApiServer : IDisposable
{
    private readonly CancellationTokenSource _shutdown = new();

    public ApiServer(LocalKubeOptions options)
    {
        Options = options;
        Log = new RequestLog(options.RequestLogLimit);
        Registry = new ResourceRegistry(options.AdditionalKinds);
        Store = new ObjectStore(options.WatchHistorySize, initialResourceVersion: 100);
        Faults = new FaultInjector(this);
        SeedNamespaces();
    }

    public LocalKubeOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    public ObjectStore Store { get; }

    public ResourceRegistry Registry { get; }

    public RequestLog Log { get; }

    public FaultInjector Faults { get; }

    /// <summary>host:port, for the <c>/api</c> document.</summary>
    public string ServerAddress { get; set; } = "127.0.0.1";

    public CancellationToken ShuttingDown => _shutdown.Token;

    public void Dispose() => _shutdown.Dispose();

    public void Shutdown()
    {
        _shutdown.Cancel();
        lock (Store.Gate)
        {
            foreach (var w in Store.Watchers.ToList())
            {
                Store.StopWatch(w);
            }
        }
    }

    private void SeedNamespaces()
    {
        var type = Registry.Find(string.Empty, "v1", "namespaces")!;
        lock (Store.Gate)
        {
            foreach (var ns in Options.Namespaces)
            {
                var obj = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Namespace",
                    ["metadata"] = new JsonObject { ["name"] = ns },
                    ["spec"] = new JsonObject(),
                    ["status"] = new JsonObject { ["phase"] = "Active" },
                };
                StampNew(type, obj);
                Store.Commit(type.StorageKey, "ADDED", obj, null);
            }
        }
    }

    public async Task HandleAsync(HttpContext http)
    {
        ApiRequestContext? req = null;
        ApiReply reply;
        Dictionary<string, string>? extraHeaders = null;
        try
        {
            req = Parse(http);
            var (delay, failure) = Faults.Evaluate(req.Verb, req.Type?.Plural ?? req.Path, req.Subresource, req.Name, req.Namespace);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, Time, http.RequestAborted).ConfigureAwait(false);
            }

            if (failure is { AfterApplying: false })
            {
                throw InjectedFailure(failure);
            }

            if (req.Type?.DeprecationWarning is { } deprecation)
            {
                req.Warnings.Add(deprecation);
            }

            if (req.Verb == "watch")
            {
                await WatchAsync(req).ConfigureAwait(false);
                return;
            }

            using (var buffer = new MemoryStream())
            {
                await http.Request.Body.CopyToAsync(buffer, http.RequestAborted).ConfigureAwait(false);
                req.Body = req.MediaType == "application/vnd.kubernetes.protobuf" && req.Type is not null && buffer.Length > 0
                    ? ProtobufDecoder.Decode(buffer.ToArray(), req.Type).ToJsonString()
                    : Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            }

            reply = Execute(req);
            if (failure is { AfterApplying: true })
            {
                throw InjectedFailure(failure);
            }
        }
        catch (ApiException e)
        {
            reply = new ApiReply(e.Code, e.ToStatus());
            extraHeaders = e.Headers;
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // A test server must answer every bug as a 500 Status, never drop the connection.
        catch (Exception e)
#pragma warning restore CA1031
        {
            reply = new ApiReply(500, ApiException.Status(500, "InternalError", "Internal error occurred: " + e, null));
        }

        Record(http, req, reply.Code);
        http.Response.StatusCode = reply.Code;
        http.Response.ContentType = reply.ContentType;
        foreach (var (k, v) in extraHeaders ?? [])
        {
            http.Response.Headers[k] = v;
        }

        if (req is not null)
        {
            WriteWarnings(http, req);
        }

        switch (reply.Body)
        {
            case null:
                break;
            case JsonValue v when v.TryGetValue<byte[]>(out var bytes):
                await http.Response.Body.WriteAsync(bytes, http.RequestAborted).ConfigureAwait(false);
                break;
            case JsonValue v when v.TryGetValue<string>(out var text) && reply.ContentType.StartsWith("text/", StringComparison.Ordinal):
                await http.Response.WriteAsync(text, http.RequestAborted).ConfigureAwait(false);
                break;
            default:
                await http.Response.WriteAsync(reply.Body.ToJsonString(Json.Compact), http.RequestAborted).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>RFC 7234 warning headers in the apiserver's form: <c>299 - "text"</c>.</summary>
    private static void WriteWarnings(HttpContext http, ApiRequestContext req)
    {
        if (req.Warnings.Count > 0)
        {
            http.Response.Headers["Warning"] = req.Warnings.Select(w => "299 - \"" + w.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"").ToArray();
        }
    }

    private void Record(HttpContext http, ApiRequestContext? req, int code)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        Log.Add(new ApiRequest(
            Time.GetUtcNow(),
            http.Request.Method,
            path,
            http.Request.QueryString.Value ?? string.Empty,
            req?.Verb ?? (http.Request.Method == "GET" ? "get" : http.Request.Method.ToLowerInvariant()),
            req?.Type?.Group ?? string.Empty,
            req?.Type?.Plural ?? string.Empty,
            req?.Subresource ?? string.Empty,
            req?.Namespace ?? string.Empty,
            req?.Name ?? string.Empty,
            code,
            http.Request.Headers.UserAgent.ToString(),
            http.Request.ContentType ?? string.Empty));
    }

    private static ApiException InjectedFailure(FaultInjector.Rule rule)
    {
        var (reason, message) = rule.StatusCode switch
        {
            400 => ("BadRequest", "injected bad request"),
            403 => ("Forbidden", "injected forbidden"),
            404 => ("NotFound", "the server could not find the requested resource"),
            409 => ("Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again"),
            410 => ("Expired", "too old resource version"),
            422 => ("Invalid", "injected invalid"),
            429 => ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
            500 => ("InternalError", "Internal error occurred: injected fault"),
            503 => ("ServiceUnavailable", "the server is currently unable to handle the request"),
            504 => ("Timeout", "the server was unable to return a response in the time allotted"),
            _ => ("Unknown", "injected failure"),
        };
        JsonObject? details = null;
        if (rule.RetryAfter is { } ra)
        {
            details = new JsonObject { ["retryAfterSeconds"] = (int)Math.Ceiling(ra.TotalSeconds) };
        }

        var e = new ApiException(rule.StatusCode, reason, message, details);
        if (rule.RetryAfter is { } retry)
        {
            e.Headers["Retry-After"] = Json.Inv((long)Math.Ceiling(retry.TotalSeconds));
        }

        return e;
    }

    /// <summary>Routes a path as the real apiserver does (see the spec, section 4).</summary>
    private ApiRequestContext Parse(HttpContext http)
    {
        var path = (http.Request.Path.Value ?? "/").TrimEnd('/');
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = http.Request.Method;
        string group, version;
        int rest;
        if (segments.Length >= 2 && segments[0] == "api" && segments[1] == "v1")
        {
            (group, version, rest) = (string.Empty, "v1", 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            return new ApiRequestContext { Http = http, Path = path, Verb = "get" };
        }

        if (segments.Length == rest)
        {
            return new ApiRequestContext { Http = http, Path = path, Verb = "get" };
        }

        var tail = segments[rest..];
        string ns = string.Empty;
        if (tail.Length >= 3 && tail[0] == "namespaces" && tail[2] is not ("status" or "finalize"))
        {
            ns = tail[1];
            tail = tail[2..];
        }

        var type = Registry.Find(group, version, tail[0]) ?? throw ApiException.NotFoundPath();
        if (tail.Length > 3 || (ns.Length > 0 && !type.Namespaced))
        {
            throw ApiException.NotFoundPath();
        }

        var name = tail.Length > 1 ? tail[1] : string.Empty;
        var sub = tail.Length > 2 ? tail[2] : string.Empty;
        if (type.Namespaced && ns.Length == 0 && (name.Length > 0 || method != "GET"))
        {
            // The all-namespaces path of a namespaced resource only serves list and watch.
            throw ApiException.NotFoundPath();
        }

        if (sub.Length > 0 && !(sub == "status" && type.HasStatus) && !(sub == "finalize" && type.Flavor == TypeFlavor.Namespace))
        {
            throw ApiException.NotFoundPath();
        }

        var watch = http.Request.Query["watch"].ToString() is "true" or "1" or "True";
        var verb = method switch
        {
            "GET" when name.Length > 0 => watch ? "watch" : "get",
            "GET" => watch ? "watch" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" when name.Length > 0 => "delete",
            "DELETE" => "deletecollection",
            _ => method.ToLowerInvariant(),
        };
        return new ApiRequestContext
        {
            Http = http,
            Path = path,
            Verb = verb,
            Type = type,
            Namespace = ns,
            Name = name,
            Subresource = sub,
        };
    }

    private ApiReply Execute(ApiRequestContext req)
    {
        if (req.Type is null)
        {
            return NonResource(req);
        }

        if (req.Type.Flavor == TypeFlavor.Review)
        {
            return Review(req);
        }

        return (req.Method, req.Name.Length > 0) switch
        {
            ("GET", true) => Get(req),
            ("GET", false) => List(req),
            ("POST", false) => Create(req),
            ("PUT", true) => Replace(req),
            ("PATCH", true) => Patch(req),
            ("DELETE", true) => Delete(req),
            ("DELETE", false) => DeleteCollection(req),
            _ => throw new ApiException(405, "MethodNotAllowed",
                $"{req.Method} is not supported on resources of kind \"{req.Type.Plural}\""),
        };
    }

    /// <summary>Everything under a namespaced path requires the namespace to exist (NamespaceLifecycle admission).</summary>
    private void RequireNamespace(string ns)
    {
        if (ns.Length > 0 && Store.Get("/namespaces", string.Empty, ns) is null)
        {
            throw new ApiException(404, "NotFound", $"namespaces \"{ns}\" not found",
                new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
        }
    }
}
