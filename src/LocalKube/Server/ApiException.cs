using System.Text.Json.Nodes;

namespace CryptoIndex.LocalKube.Server;

/// <summary>An error answered as a <c>metav1.Status</c> body, exactly as the real API server shapes it.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    /// <summary>Extra response headers (Retry-After for injected 429s).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public JsonObject ToStatus() => Status(Code, Reason, Message, Details);

    public static JsonObject Status(int code, string reason, string message, JsonObject? details) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["details"] = details ?? new JsonObject(),
        ["code"] = code,
    };

    public static ApiException NotFoundPath() =>
        new(404, "NotFound", "the server could not find the requested resource");

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedResource} \"{name}\" not found", DetailsFor(type, name));

    public static ApiException AlreadyExists(ResourceType type, string name, bool beingDeleted) =>
        new(409, "AlreadyExists",
            (beingDeleted ? "object is being deleted: " : string.Empty) + $"{type.QualifiedResource} \"{name}\" already exists",
            DetailsFor(type, name));

    public static ApiException Conflict(ResourceType type, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            DetailsFor(type, name));

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var qualifiedKind = type.Group.Length == 0 ? type.Kind : $"{type.Kind}.{type.Group}";
        var text = errors.Count == 1
            ? errors[0].ToString()
            : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var causes = new JsonArray();
        foreach (var e in errors)
        {
            causes.Add(new JsonObject { ["reason"] = e.Reason, ["message"] = e.Message, ["field"] = e.Field });
        }

        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = type.Group,
            ["kind"] = type.Kind,
            ["causes"] = causes,
        };
        return new ApiException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {text}", details);
    }

    public static JsonObject DetailsFor(ResourceType type, string name) => new()
    {
        ["name"] = name,
        ["group"] = type.Group,
        ["kind"] = type.Plural,
    };
}

/// <summary>One <c>details.causes[]</c> entry of a 422 Invalid answer.</summary>
internal sealed record FieldError(string Reason, string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";

    public static FieldError Required(string field) => new("FieldValueRequired", field, "Required value");

    public static FieldError Invalid(string field, JsonNode? value, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {Json.GoValue(value)}: {detail}");

    public static FieldError TypeInvalid(string field, JsonNode? value, string detail) =>
        new("FieldValueTypeInvalid", field, $"Invalid value: {Json.GoValue(value)}: {detail}");

    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field,
            $"Unsupported value: {Json.GoValue(value)}: supported values: {string.Join(", ", supported)}");

    public static FieldError Duplicate(string field, JsonNode? value) =>
        new("FieldValueDuplicate", field, $"Duplicate value: {Json.GoValue(value)}");

    public static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, $"Forbidden: {detail}");

    public static FieldError TooMany(string field, int actual, long max) =>
        new("FieldValueTooMany", field, $"Too many: {actual.ToString(System.Globalization.CultureInfo.InvariantCulture)}: must have at most {max.ToString(System.Globalization.CultureInfo.InvariantCulture)} items");
}
