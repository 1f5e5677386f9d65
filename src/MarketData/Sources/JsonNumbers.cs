using System.Globalization;
using System.Text.Json;

namespace CryptoIndex.MarketData.Sources;

/// <summary>Reads money from JSON as decimal, whether the provider writes numbers or strings; never via double.</summary>
internal static class JsonNumbers
{
    public static bool TryRead(JsonElement element, out decimal value)
    {
        value = 0m;
        return element.ValueKind switch
        {
            JsonValueKind.Number => element.TryGetDecimal(out value)
                || decimal.TryParse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            JsonValueKind.String => decimal.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    public static bool TryReadProperty(JsonElement parent, string name, out decimal value)
    {
        value = 0m;
        return parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var element) && TryRead(element, out value);
    }
}
