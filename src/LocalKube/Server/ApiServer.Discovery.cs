using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>Non-resource endpoints: /version, legacy discovery (/api, /apis, group-versions), OpenAPI, health.</summary>
internal sealed partial class ApiServer
{
    /// <summary><c>openapi_v2.Document{swagger:"2.0"}</c> as protobuf: lets kubectl (1.20 … 1.35) apply without
    /// <c>--validate=false</c>; with no definitions, client-side validation finds no schema and is skipped.</summary>
    private static readonly byte[] OpenApiV2Protobuf = [0x0A, 0x03, 0x32, 0x2E, 0x30];

    private ApiReply NonResource(ApiRequestContext req)
    {
        if (req.Method != "GET")
        {
            throw new ApiException(405, "MethodNotAllowed", $"{req.Method} is not supported on {req.Path}");
        }

        var path = req.Path.Length == 0 ? "/" : req.Path;
        switch (path)
        {
            case "/":
                return new ApiReply(200, new JsonObject
                {
                    ["paths"] = new JsonArray("/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/readyz", "/version"),
                });
            case "/version":
                return new ApiReply(200, VersionInfo());
            case "/healthz" or "/readyz" or "/livez":
                return new ApiReply(200, JsonValue.Create("ok"), "text/plain; charset=utf-8");
            case "/openapi/v2":
                return new ApiReply(200, JsonValue.Create(OpenApiV2Protobuf), "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
            case "/api":
                return new ApiReply(200, new JsonObject
                {
                    ["kind"] = "APIVersions",
                    ["versions"] = new JsonArray("v1"),
                    ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = ServerAddress }),
                });
            case "/apis":
            {
                var groups = new JsonArray();
                foreach (var (group, versions) in Registry.Groups())
                {
                    groups.Add(GroupDocument(group, versions, withKind: false));
                }

                return new ApiReply(200, new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups });
            }

            case "/api/v1":
                return new ApiReply(200, ResourceList(string.Empty, "v1"));
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 2 && segments[0] == "apis")
        {
            var g = Registry.Groups().FirstOrDefault(x => x.Group == segments[1]);
            if (g.Group is not null)
            {
                return new ApiReply(200, GroupDocument(g.Group, g.Versions, withKind: true));
            }
        }
        else if (segments.Length == 3 && segments[0] == "apis" && Registry.All.Any(t => t.Group == segments[1] && t.Version == segments[2]))
        {
            return new ApiReply(200, ResourceList(segments[1], segments[2]));
        }

        throw ApiException.NotFoundPath();
    }

    private JsonObject VersionInfo()
    {
        var parts = Options.KubernetesVersion.Split('.');
        return new JsonObject
        {
            ["major"] = parts[0],
            ["minor"] = parts.Length > 1 ? parts[1] : "0",
            ["gitVersion"] = "v" + Options.KubernetesVersion + ".0-localkube",
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-01-01T00:00:00Z",
            ["goVersion"] = "go1.24",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    private static JsonObject GroupDocument(string group, IReadOnlyList<string> versions, bool withKind)
    {
        var doc = new JsonObject();
        if (withKind)
        {
            doc["kind"] = "APIGroup";
            doc["apiVersion"] = "v1";
        }

        doc["name"] = group;
        doc["versions"] = new JsonArray(versions.Select(v => (JsonNode?)new JsonObject { ["groupVersion"] = group + "/" + v, ["version"] = v }).ToArray());
        doc["preferredVersion"] = new JsonObject { ["groupVersion"] = group + "/" + versions[0], ["version"] = versions[0] };
        return doc;
    }

    private JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var t in Registry.All.Where(t => t.Group == group && t.Version == version))
        {
            var entry = new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = t.Flavor == TypeFlavor.Review ? new JsonArray("create") : new JsonArray("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
            };
            if (t.ShortNames.Count > 0)
            {
                entry["shortNames"] = new JsonArray(t.ShortNames.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
            }

            if (t.Categories.Count > 0)
            {
                entry["categories"] = new JsonArray(t.Categories.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
            }

            resources.Add(entry);
            if (t.HasStatus)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = t.Plural + "/status",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = t.Namespaced,
                    ["kind"] = t.Kind,
                    ["verbs"] = new JsonArray("get", "patch", "update"),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : group + "/" + version,
            ["resources"] = resources,
        };
    }
}
