using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Server;

namespace CryptoIndex.LocalKube.Selectors;

/// <summary>The <c>labelSelector</c> query syntax: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>,
/// <c>a notin (x,y)</c>, <c>a</c>, <c>!a</c>; commas AND the requirements.</summary>
internal sealed class LabelSelector
{
    private readonly List<Func<JsonObject?, bool>> _requirements = [];

    public static readonly LabelSelector Everything = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var raw in SplitTopLevel(text))
        {
            var req = raw.Trim();
            if (req.Length == 0)
            {
                continue;
            }

            selector._requirements.Add(ParseRequirement(req));
        }

        return selector;
    }

    public bool Matches(JsonObject obj)
    {
        var labels = (obj["metadata"] as JsonObject)?["labels"] as JsonObject;
        return _requirements.TrueForAll(r => r(labels));
    }

    private static Func<JsonObject?, bool> ParseRequirement(string req)
    {
        static string? Get(JsonObject? labels, string key) => Json.Str(labels?[key]);

        if (req.StartsWith('!'))
        {
            var key = req[1..].Trim();
            return l => Get(l, key) is null;
        }

        var setMatch = System.Text.RegularExpressions.Regex.Match(req, @"^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$");
        if (setMatch.Success)
        {
            var key = setMatch.Groups[1].Value;
            var values = setMatch.Groups[3].Value.Split(',').Select(v => v.Trim()).ToHashSet(StringComparer.Ordinal);
            return setMatch.Groups[2].Value == "in"
                ? l => Get(l, key) is { } v && values.Contains(v)
                : l => Get(l, key) is not { } v || !values.Contains(v);
        }

        foreach (var op in new[] { "!=", "==", "=" })
        {
            var i = req.IndexOf(op, StringComparison.Ordinal);
            if (i > 0)
            {
                var key = req[..i].Trim();
                var value = req[(i + op.Length)..].Trim();
                return op == "!="
                    ? l => Get(l, key) != value
                    : l => Get(l, key) == value;
            }
        }

        if (req.IndexOfAny([' ', '(', ')', '<', '>']) >= 0)
        {
            throw ApiException.BadRequest($"unable to parse requirement: found '{req}', expected: identifier");
        }

        return l => Get(l, req) is not null;
    }

    /// <summary>Splits on commas that are not inside a parenthesised value set.</summary>
    internal static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }
}
