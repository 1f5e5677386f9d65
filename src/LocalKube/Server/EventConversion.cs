using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>core/v1 and events.k8s.io/v1 Events share one storage (core shape); these map the renamed fields.</summary>
internal static class EventConversion
{
    private static readonly (string Core, string V1)[] Renames =
    [
        ("message", "note"),
        ("involvedObject", "regarding"),
        ("reportingComponent", "reportingController"),
        ("count", "deprecatedCount"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("source", "deprecatedSource"),
    ];

    public static JsonObject CoreToV1(JsonObject core) => Rename(core, fromCore: true, "events.k8s.io/v1");

    public static JsonObject V1ToCore(JsonObject v1) => Rename(v1, fromCore: false, "v1");

    private static JsonObject Rename(JsonObject source, bool fromCore, string apiVersion)
    {
        var result = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = "Event" };
        foreach (var (k, v) in source.ToList())
        {
            if (k is "apiVersion" or "kind")
            {
                continue;
            }

            var target = k;
            foreach (var (core, v1) in Renames)
            {
                if (fromCore && k == core)
                {
                    target = v1;
                }
                else if (!fromCore && k == v1)
                {
                    target = core;
                }
            }

            source.Remove(k);
            result[target] = v;
        }

        return result;
    }
}
