using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Table;

/// <summary>Server-side printing: turns objects into a <c>meta.k8s.io/v1</c> Table (what <c>kubectl get</c> shows),
/// from a CRD version's additionalPrinterColumns, or Name + Age / Created At for other kinds.</summary>
internal static class TableConverter
{
    public const string ContentType = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private const string NameDescription =
        "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

    public static bool Wanted(string? accept) =>
        accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static IReadOnlyList<PrinterColumn> Columns(ResourceType type)
    {
        if (type.Flavor == TypeFlavor.Custom)
        {
            return type.Columns.Count > 0
                ? type.Columns
                : [new PrinterColumn("Age", "date", string.Empty, "Age", 0, ".metadata.creationTimestamp")];
        }

        return type.Flavor switch
        {
            TypeFlavor.CoreEvent or TypeFlavor.EventsV1Event =>
            [
                new PrinterColumn("Last Seen", "string", "age", "Time since the event was last seen", 0, ".lastTimestamp|.eventTime|.firstTimestamp|.metadata.creationTimestamp"),
                new PrinterColumn("Type", "string", string.Empty, "Type of this event", 0, ".type"),
                new PrinterColumn("Reason", "string", string.Empty, "Short, machine understandable string", 0, ".reason"),
                new PrinterColumn("Object", "string", "objectref", "The object this event is about", 0, ".involvedObject"),
                new PrinterColumn("Message", "string", string.Empty, "A human-readable description", 0, ".message"),
            ],
            TypeFlavor.Namespace =>
            [
                new PrinterColumn("Status", "string", string.Empty, "The status of the namespace", 0, ".status.phase"),
                new PrinterColumn("Age", "string", "age", "Age", 0, ".metadata.creationTimestamp"),
            ],
            _ => [new PrinterColumn("Created At", "date", string.Empty, "Date when the object was created", 0, ".metadata.creationTimestamp")],
        };
    }

    public static JsonObject Convert(ResourceType type, IEnumerable<JsonObject> objects, string listRv, string? continueToken,
        bool withHeaders, string? includeObject, DateTimeOffset now)
    {
        var columns = Columns(type);

        // Events list "Last Seen, Type, Reason, Object, Message" and keep the name as a wide-only last column.
        var nameLast = type.Flavor is TypeFlavor.CoreEvent or TypeFlavor.EventsV1Event;
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = continueToken is null
                ? new JsonObject { ["resourceVersion"] = listRv }
                : new JsonObject { ["resourceVersion"] = listRv, ["continue"] = continueToken },
        };
        if (withHeaders)
        {
            var defs = new JsonArray();
            var nameColumn = new JsonObject
            {
                ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = NameDescription,
                ["priority"] = nameLast ? 1 : 0,
            };
            if (!nameLast)
            {
                defs.Add(nameColumn);
            }

            foreach (var c in columns)
            {
                defs.Add(new JsonObject
                {
                    ["name"] = c.Name,
                    ["type"] = c.Type,
                    ["format"] = c.Format,
                    ["description"] = c.Description,
                    ["priority"] = c.Priority,
                });
            }

            if (nameLast)
            {
                defs.Add(nameColumn);
            }

            table["columnDefinitions"] = defs;
        }
        else
        {
            table["columnDefinitions"] = null;
        }

        var rows = new JsonArray();
        foreach (var o in objects)
        {
            var cells = nameLast ? new JsonArray() : new JsonArray { Json.Name(o) };
            var customDateAsAge = type.Flavor == TypeFlavor.Custom;
            foreach (var c in columns)
            {
                cells.Add(Cell(o, c, now, customDateAsAge));
            }

            if (nameLast)
            {
                cells.Add(Json.Name(o));
            }

            var row = new JsonObject { ["cells"] = cells };
            switch (includeObject)
            {
                case "None":
                    break;
                case "Object":
                    row["object"] = Json.Clone(o);
                    break;
                default:
                    row["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = (o["metadata"] as JsonObject)?.DeepClone(),
                    };
                    break;
            }

            rows.Add(row);
        }

        table["rows"] = rows;
        return table;
    }

    private static JsonNode? Cell(JsonObject o, PrinterColumn c, DateTimeOffset now, bool dateAsAge)
    {
        IReadOnlyList<JsonNode?> results = [];
        try
        {
            // Built-in tables use "a|b" for "the first of these fields that is set".
            foreach (var path in c.JsonPath.Split('|'))
            {
                results = JsonPath.Evaluate(o, path);
                if (results.Count > 0 && results[0] is not null)
                {
                    break;
                }
            }
        }
        catch (FormatException)
        {
            return null;
        }

        if (c.Format == "objectref" && results.Count > 0 && results[0] is JsonObject reference)
        {
            return (Json.Str(reference["kind"]) ?? string.Empty).ToLowerInvariant() + "/" + Json.Str(reference["name"]);
        }

        if (c.Format == "age" && results.Count > 0 && results[0] is not null)
        {
            return Age(Json.Text(results[0]), now);
        }

        if (results.Count == 0 || results[0] is null)
        {
            return null;
        }

        var v = results[0]!;
        var kind = Json.Kind(v);
        switch (c.Type)
        {
            case "integer":
                return kind == JsonValueKind.Number ? JsonValue.Create((long)Json.Elem(v).GetDouble()) : null;
            case "number":
                return kind == JsonValueKind.Number ? JsonValue.Create(Json.Elem(v).GetDouble()) : null;
            case "boolean":
                return kind is JsonValueKind.True or JsonValueKind.False ? JsonValue.Create(kind == JsonValueKind.True) : null;
            case "date":
                if (!dateAsAge)
                {
                    return Json.Text(v);
                }

                return Age(Json.Text(v), now);
            default:
                return Json.Text(v);
        }
    }

    private static string Age(string timestamp, DateTimeOffset now) =>
        DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? HumanDuration(now - t)
            : "<invalid>";

    /// <summary>apimachinery's <c>duration.HumanDuration</c>: 0s, 5m17s, 3h, 12d, 2y30d.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        static string S(long n) => n.ToString(CultureInfo.InvariantCulture);
        var seconds = (long)Math.Floor(d.TotalSeconds);
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 120)
        {
            return S(seconds) + "s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? S(minutes) + "m" : S(minutes) + "m" + S(s) + "s";
        }

        if (minutes < 60 * 3)
        {
            return S(minutes) + "m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? S(hours) + "h" : S(hours) + "h" + S(m) + "m";
        }

        if (hours < 48)
        {
            return S(hours) + "h";
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? S(hours / 24) + "d" : S(hours / 24) + "d" + S(h) + "h";
        }

        if (hours < 24 * 365 * 2)
        {
            return S(hours / 24) + "d";
        }

        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? S(hours / 24 / 365) + "y" : S(hours / 24 / 365) + "y" + S(dy) + "d";
        }

        return S(hours / 24 / 365) + "y";
    }
}
