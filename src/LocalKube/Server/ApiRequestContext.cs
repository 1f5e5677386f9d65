using Microsoft.AspNetCore.Http;

namespace CryptoIndex.LocalKube.Server;

/// <summary>A parsed request: the Kubernetes verb and, for resource paths, the type, namespace, name and subresource.</summary>
internal sealed class ApiRequestContext
{
    public required HttpContext Http { get; init; }

    public required string Path { get; init; }

    public required string Verb { get; init; }

    public ResourceType? Type { get; init; }

    public string Namespace { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    public string Subresource { get; init; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    /// <summary>Warning headers to send (unknown fields under fieldValidation=Warn).</summary>
    public List<string> Warnings { get; } = [];

    public string Method => Http.Request.Method;

    public string? Query(string key)
    {
        var v = Http.Request.Query[key].ToString();
        return v.Length == 0 ? null : v;
    }

    public bool QueryTrue(string key) => Query(key) is "true" or "1" or "True";

    public bool DryRun => Http.Request.Query["dryRun"].Any(v => v == "All");

    public string MediaType => (Http.Request.ContentType ?? string.Empty).Split(';')[0].Trim().ToLowerInvariant();

    public string Accept => Http.Request.Headers.Accept.ToString();

    /// <summary>The field manager of an Update operation: <c>fieldManager</c>, else the User-Agent's program name.</summary>
    public string Manager
    {
        get
        {
            if (Query("fieldManager") is { } m)
            {
                return m;
            }

            var ua = Http.Request.Headers.UserAgent.ToString();
            var slash = ua.IndexOf('/', StringComparison.Ordinal);
            return slash > 0 ? ua[..slash] : ua.Length > 0 ? ua : "unknown";
        }
    }
}

/// <summary>A complete (non-streaming) answer.</summary>
internal sealed record ApiReply(int Code, System.Text.Json.Nodes.JsonNode? Body, string ContentType = "application/json");
