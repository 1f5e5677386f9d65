using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Selectors;

/// <summary>The <c>fieldSelector</c> query: only the fields the real server indexes for the kind
/// (<c>metadata.name</c>, <c>metadata.namespace</c>; core Events add <c>involvedObject.*</c>, <c>reason</c>, ...).
/// Any other field is a 400, as on a real server.</summary>
internal sealed class FieldSelector
{
    private static readonly string[] EventFields =
    [
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ];

    private readonly List<(string Field, bool Equal, string Value)> _requirements = [];

    public static readonly FieldSelector Everything = new();

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in text.Split(','))
        {
            var req = raw.Trim();
            if (req.Length == 0)
            {
                continue;
            }

            string field, value;
            bool equal;
            int i;
            if ((i = req.IndexOf("!=", StringComparison.Ordinal)) > 0)
            {
                (field, value, equal) = (req[..i], req[(i + 2)..], false);
            }
            else if ((i = req.IndexOf("==", StringComparison.Ordinal)) > 0)
            {
                (field, value, equal) = (req[..i], req[(i + 2)..], true);
            }
            else if ((i = req.IndexOf('=', StringComparison.Ordinal)) > 0)
            {
                (field, value, equal) = (req[..i], req[(i + 1)..], true);
            }
            else
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{req}'");
            }

            field = field.Trim();
            if (!Supported(type, field))
            {
                throw ApiException.BadRequest(
                    $"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            }

            selector._requirements.Add((field, equal, value.Trim()));
        }

        return selector;
    }

    private static bool Supported(ResourceType type, string field) =>
        field is "metadata.name" or "metadata.namespace"
        || (type.Flavor == TypeFlavor.CoreEvent && EventFields.Contains(field, StringComparer.Ordinal))
        || (type.Flavor == TypeFlavor.Namespace && field == "status.phase");

    public bool Matches(JsonObject obj) =>
        _requirements.TrueForAll(r => (Value(obj, r.Field) == r.Value) == r.Equal);

    private static string Value(JsonObject obj, string field)
    {
        if (field == "source")
        {
            return Json.Str((obj["source"] as JsonObject)?["component"]) ?? string.Empty;
        }

        JsonNode? node = obj;
        foreach (var part in field.Split('.'))
        {
            node = (node as JsonObject)?[part];
        }

        return Json.Text(node);
    }
}
