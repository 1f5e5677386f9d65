using System.Text.Json;
using System.Text.Json.Nodes;

namespace CryptoIndex.Operator.Runtime;

/// <summary>Mutable JSON nodes over an element already parsed (a cached object's, which stays as it is).</summary>
public static class JsonNodes
{
    /// <summary>
    /// The node <c>JsonNode.Parse(element.GetRawText())</c> gives (null for a JSON null), built on the element itself:
    /// its children are read from it when first touched and a change goes to the node only, without writing the element
    /// out as text and parsing it again (a 20 KB fund several times per reconcile).
    /// </summary>
    public static JsonNode? From(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element),
        JsonValueKind.Array => JsonArray.Create(element),
        _ => JsonValue.Create(element), // null for a JSON null, as JsonNode.Parse("null")
    };
}
