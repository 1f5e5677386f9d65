using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// Reads an int-or-string field (money: <c>capital: 100000</c> or <c>capital: "2500.50"</c>) into its text, exactly
/// as written; a JSON number with a fraction or exponent is refused, since money is never a float.
/// </summary>
public sealed class IntOrStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number when reader.TryGetInt64(out var integer) => integer.ToString(CultureInfo.InvariantCulture),
        // Too long for a long, but an integer: kept as written, for the field's pattern to refuse by its digits.
        JsonTokenType.Number when IsInteger(reader) => System.Text.Encoding.ASCII.GetString(Raw(reader)),
        JsonTokenType.Number => throw new JsonException("a number with a fraction must be written as a string, e.g. \"2500.50\""),
        JsonTokenType.Null => null,
        _ => throw new JsonException($"expected an integer or a string, got {reader.TokenType}"),
    };

    private static byte[] Raw(Utf8JsonReader reader) =>
        reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray();

    private static bool IsInteger(Utf8JsonReader reader) => Raw(reader) is { Length: > 0 } digits && digits.All(b => b is >= (byte)'0' and <= (byte)'9');

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value);
    }
}
