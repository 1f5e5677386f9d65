using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Table;

/// <summary>
/// The subset of client-go JSONPath that CRD printer columns use: <c>.a.b</c>, <c>['a.b']</c>, <c>[0]</c>,
/// <c>[*]</c>, <c>..</c>-free paths and filters <c>[?(@.type=="Ready")]</c> (==, !=, &lt;, &gt;, and existence
/// <c>[?(@.x)]</c>). Missing keys yield no result; the printer takes the first result.
/// </summary>
internal static class JsonPath
{
    public static IReadOnlyList<JsonNode?> Evaluate(JsonNode? root, string path)
    {
        var p = path.Trim();
        if (p.StartsWith('{') && p.EndsWith('}'))
        {
            p = p[1..^1];
        }

        if (p.StartsWith('$'))
        {
            p = p[1..];
        }

        var current = new List<JsonNode?> { root };
        var i = 0;
        while (i < p.Length && current.Count > 0)
        {
            if (p[i] == '.')
            {
                i++;
                var start = i;
                while (i < p.Length && p[i] != '.' && p[i] != '[')
                {
                    i++;
                }

                var name = p[start..i];
                if (name.Length == 0)
                {
                    continue;
                }

                current = name == "*" ? current.SelectMany(Children).ToList() : current.Select(n => Field(n, name)).Where(Exists).ToList();
            }
            else if (p[i] == '[')
            {
                var end = FindClose(p, i);
                var inner = p[(i + 1)..end].Trim();
                i = end + 1;
                current = Bracket(current, inner);
            }
            else
            {
                // A path without a leading dot ("spec.x") is read as if it had one.
                var start = i;
                while (i < p.Length && p[i] != '.' && p[i] != '[')
                {
                    i++;
                }

                var name = p[start..i];
                current = current.Select(n => Field(n, name)).Where(Exists).ToList();
            }
        }

        return current;
    }

    private static readonly JsonNode Missing = JsonValue.Create("\u0000missing")!;

    private static bool Exists(JsonNode? n) => !ReferenceEquals(n, Missing);

    private static JsonNode? Field(JsonNode? n, string name) =>
        n is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : Missing;

    private static IEnumerable<JsonNode?> Children(JsonNode? n) => n switch
    {
        JsonObject o => o.Select(kv => kv.Value),
        JsonArray a => a,
        _ => [],
    };

    private static int FindClose(string p, int open)
    {
        var depth = 0;
        char? quote = null;
        for (var i = open; i < p.Length; i++)
        {
            var c = p[i];
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }

                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '[' or '(':
                    depth++;
                    break;
                case ']' or ')':
                    depth--;
                    if (depth == 0 && c == ']')
                    {
                        return i;
                    }

                    break;
            }
        }

        throw new FormatException($"unterminated [ in JSONPath {p}");
    }

    private static List<JsonNode?> Bracket(List<JsonNode?> current, string inner)
    {
        if (inner == "*")
        {
            return current.SelectMany(Children).ToList();
        }

        if (inner.StartsWith('\'') || inner.StartsWith('"'))
        {
            var name = inner[1..^1];
            return current.Select(n => Field(n, name)).Where(Exists).ToList();
        }

        if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
        {
            var expr = inner[2..^1].Trim();
            return current.SelectMany(n => n is JsonArray a ? a : (IEnumerable<JsonNode?>)[n])
                .Where(item => Filter(item, expr)).ToList();
        }

        if (inner.Contains(':', StringComparison.Ordinal))
        {
            var parts = inner.Split(':');
            return current.OfType<JsonArray>().SelectMany(a =>
            {
                var from = parts[0].Length == 0 ? 0 : Norm(int.Parse(parts[0], CultureInfo.InvariantCulture), a.Count);
                var to = parts[1].Length == 0 ? a.Count : Norm(int.Parse(parts[1], CultureInfo.InvariantCulture), a.Count);
                return a.Skip(from).Take(Math.Max(0, to - from));
            }).ToList();
        }

        var index = int.Parse(inner, CultureInfo.InvariantCulture);
        return current.OfType<JsonArray>().Where(a => Norm(index, a.Count) < a.Count && Norm(index, a.Count) >= 0)
            .Select(a => a[Norm(index, a.Count)]).ToList();
    }

    private static int Norm(int i, int count) => i < 0 ? count + i : i;

    private static bool Filter(JsonNode? item, string expr)
    {
        foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
        {
            var at = expr.IndexOf(op, StringComparison.Ordinal);
            if (at < 0)
            {
                continue;
            }

            var left = Operand(item, expr[..at].Trim());
            var right = Operand(item, expr[(at + op.Length)..].Trim());
            if (left is null || right is null)
            {
                return false;
            }

            var l = left.Value;
            var r = right.Value;
            if (l.ValueKind == JsonValueKind.Number && r.ValueKind == JsonValueKind.Number)
            {
                var c = l.GetDouble().CompareTo(r.GetDouble());
                return Compare(op, c);
            }

            var ls = l.ValueKind == JsonValueKind.String ? l.GetString() : l.GetRawText();
            var rs = r.ValueKind == JsonValueKind.String ? r.GetString() : r.GetRawText();
            return Compare(op, string.CompareOrdinal(ls, rs));
        }

        return Operand(item, expr) is not null;
    }

    private static bool Compare(string op, int c) => op switch
    {
        "==" => c == 0,
        "!=" => c != 0,
        "<" => c < 0,
        ">" => c > 0,
        "<=" => c <= 0,
        _ => c >= 0,
    };

    private static JsonElement? Operand(JsonNode? item, string text)
    {
        if (text.StartsWith('@'))
        {
            var results = Evaluate(item, text[1..]);
            return results.Count == 0 ? null : JsonSerializer.SerializeToElement(results[0]);
        }

        if (text.StartsWith('\'') && text.EndsWith('\''))
        {
            return JsonSerializer.SerializeToElement(text[1..^1]);
        }

        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    /// <summary>The first result rendered as text (for kubectl-style display in tests and descriptions).</summary>
    public static string? FirstText(JsonNode? root, string path)
    {
        var r = Evaluate(root, path);
        return r.Count == 0 ? null : Json.Text(r[0]);
    }
}
