using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Selectors;
using CryptoIndex.LocalKube.Storage;
using CryptoIndex.LocalKube.Table;

namespace CryptoIndex.LocalKube.Server;

/// <summary>get, list (selectors, paging, Table) and watch.</summary>
internal sealed partial class ApiServer
{
    private ApiReply Get(ApiRequestContext req)
    {
        var type = req.Type!;
        JsonObject obj;
        long rv;
        lock (Store.Gate)
        {
            obj = Store.Get(type.StorageKey, req.Namespace, req.Name) is { } stored
                ? ObjectStore.AsVersion(stored, type)
                : throw ApiException.NotFound(type, req.Name);
            rv = Store.CurrentRv;
        }

        if (TableConverter.Wanted(req.Accept))
        {
            var table = TableConverter.Convert(type, [obj], Json.Inv(rv), null, withHeaders: true, req.Query("includeObject"), Time.GetUtcNow());
            return new ApiReply(200, table, TableConverter.ContentType);
        }

        return new ApiReply(200, obj);
    }

    private static long? ParseRv(string? text)
    {
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
            ? rv
            : throw ApiException.BadRequest($"invalid resource version \"{text}\"");
    }

    private ApiReply List(ApiRequestContext req)
    {
        var type = req.Type!;
        var labels = LabelSelector.Parse(req.Query("labelSelector"));
        var fields = FieldSelector.Parse(req.Query("fieldSelector"), type);
        var ns = req.Namespace.Length > 0 ? req.Namespace : null;
        var requestedRv = ParseRv(req.Query("resourceVersion"));
        var match = req.Query("resourceVersionMatch");
        if (match is not null && requestedRv is null)
        {
            throw ApiException.BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
        }

        var limit = req.Query("limit") is { } l && long.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : long.MaxValue;
        var (tokenRv, startKey) = DecodeContinue(req.Query("continue"));
        List<JsonObject> items;
        string listRv;
        string? next = null;
        long remaining = 0;
        lock (Store.Gate)
        {
            // Continue pages and Exact reads are served as of their resourceVersion (a consistent snapshot).
            var atRv = tokenRv ?? (match == "Exact" ? requestedRv : null) ?? Store.CurrentRv;
            var snapshot = Store.ListAt(type.StorageKey, ns, atRv);
            if (snapshot is null && tokenRv is not null)
            {
                throw new ApiException(410, "Expired",
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }

            if (snapshot is null)
            {
                throw new ApiException(410, "Expired",
                    $"too old resource version: {Json.Inv(atRv)} ({Json.Inv(Store.CompactedRv + 1)})");
            }

            var all = snapshot
                .Where(o => startKey is null || string.CompareOrdinal(Key(o), startKey) > 0)
                .Where(o => labels.Matches(o) && fields.Matches(o))
                .ToList();
            items = all.Take((int)Math.Min(limit, int.MaxValue)).Select(o => ObjectStore.AsVersion(o, type)).ToList();
            listRv = Json.Inv(atRv);
            if (all.Count > items.Count)
            {
                remaining = all.Count - items.Count;
                next = EncodeContinue(atRv, Key(items[^1]));
            }
        }

        if (TableConverter.Wanted(req.Accept))
        {
            var table = TableConverter.Convert(type, items, listRv, next, withHeaders: true, req.Query("includeObject"), Time.GetUtcNow());
            return new ApiReply(200, table, TableConverter.ContentType);
        }

        var metadata = new JsonObject { ["resourceVersion"] = listRv };
        if (next is not null)
        {
            metadata["continue"] = next;
            metadata["remainingItemCount"] = remaining;
        }

        var list = new JsonObject
        {
            ["apiVersion"] = type.ApiVersion,
            ["kind"] = type.ListKind,
            ["metadata"] = metadata,
            ["items"] = new JsonArray(items.Cast<JsonNode?>().ToArray()),
        };
        return new ApiReply(200, list);
    }

    private static string Key(JsonObject o) => Json.Namespace(o) + "/" + Json.Name(o);

    private static string EncodeContinue(long rv, string start) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = start + "\u0000" }.ToJsonString()));

    private static (long? Rv, string? Start) DecodeContinue(string? token)
    {
        if (token is null)
        {
            return (null, null);
        }

        try
        {
            var obj = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token))) as JsonObject;
            if (obj?["rv"] is JsonValue rv && Json.Str(obj["start"]) is { } start)
            {
                return (rv.GetValue<long>(), start.TrimEnd('\u0000'));
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            // Falls through to the error below.
        }

        throw ApiException.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    }
}
