using System.Text.Json;
using System.Text.Json.Nodes;
using CryptoIndex.Operator.Crd;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// Reads IndexFund manifests from YAML (one or many documents) exactly as the API would store them: YAML → JSON →
/// the API types with the API's JSON conventions. Other kinds in the same file are skipped.
/// </summary>
public static partial class ManifestReader
{
    // A key twice (capital: twice) is an error, as `kubectl apply` makes it ("mapping key already defined"), not the last copy.
    // An integer too long for a ulong would become a double ("1E+20 is a floating-point number"): it is kept as written,
    // so the field's own rule names what is wrong (an amount has at most 15 integer digits).
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().WithDuplicateKeyChecking()
        .WithNodeDeserializer(new LongIntegers(), where => where.OnTop()).Build();

    /// <summary>The IndexFunds in <paramref name="yaml"/>, or an error naming the document and what is wrong.</summary>
    public static (IReadOnlyList<IndexFund> Funds, string? Error) Read(string yaml)
    {
        var funds = new List<IndexFund>();
        if (SyntaxError(yaml ?? string.Empty) is { } syntax)
        {
            return ([], syntax);
        }

        if (DuplicateKey(yaml ?? string.Empty) is { } duplicate)
        {
            return ([], duplicate);
        }

        var parser = new Parser(new StringReader(yaml ?? string.Empty));
        var index = 0;
        try
        {
            parser.Consume<YamlDotNet.Core.Events.StreamStart>();
            while (parser.Accept<YamlDotNet.Core.Events.DocumentStart>(out _))
            {
                index++;
                var document = Yaml.Deserialize<object?>(parser);
                if (ToJson(document, string.Empty) is not JsonObject json || !IsIndexFund(json))
                {
                    continue;
                }

                if (Identity(json) is { } refused)
                {
                    return ([], $"document {index}: {refused}");
                }

                // The API server ignores status on writes (it is a subresource), so this reader does too: a manifest
                // exported from a cluster, even one with a newer CRD, reads as its spec.
                json.Remove("status");

                // As `kubectl apply` (strict field validation): a misspelled field is an error, not a silent default.
                var unknown = ManifestSchema.UnknownFields(json);
                if (unknown.Count > 0)
                {
                    return ([], $"document {index}: " + string.Join(", ", unknown.Select(f => $"unknown field \"{f}\"")));
                }

                funds.Add(json.Deserialize<IndexFund>(ApiJson.Options) ?? throw new JsonException("empty document"));
            }
        }
        catch (YamlException e)
        {
            // The syntax was checked above: this is a value the deserializer could not take; its own words are inside.
            return ([], $"document {Math.Max(index, 1)}: not valid YAML at line {e.Start.Line}: {(e.InnerException ?? e).Message}");
        }
        catch (JsonException e)
        {
            return ([], $"document {index}: {ManifestSchema.Describe(e)}");
        }

        return (funds, null);
    }

    /// <summary>
    /// The first syntax error of <paramref name="yaml"/>, as one line naming its document, line and the rule; null when
    /// it parses. The parser's own complaint, at the place it means: YamlDotNet marks a tab used for indentation at the
    /// start of the enclosing mapping (line 1), so that one is placed where the scanner stopped, on the tab; and an
    /// unclosed flow mapping or sequence can make its scanner fail with no message at all, so that one is described as
    /// a YAML parser describes it, naming where the bracket was opened.
    /// </summary>
    private static string? SyntaxError(string yaml)
    {
        var scanner = new Scanner(new StringReader(yaml));
        var parser = new Parser(scanner);
        var document = 0;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is YamlDotNet.Core.Events.DocumentStart)
                {
                    document++;
                }
            }

            return null;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            var at = $"document {Math.Max(document, 1)}: not valid YAML at line";
            if (UnclosedFlow(yaml, scanner.CurrentPosition.Index) is { } open
                && (e is InvalidOperationException || e.Message.Contains("flow", StringComparison.OrdinalIgnoreCase)))
            {
                var (opened, closer, kind) = open;
                return $"{at} {scanner.CurrentPosition.Line}: did not find expected ',' or '{closer}': the {kind} opened with '{(closer == '}' ? '{' : '[')}' at line {opened.Line}, column {opened.Column} is not closed";
            }

            if (e is not YamlException error)
            {
                return $"{at} {scanner.CurrentPosition.Line}, column {scanner.CurrentPosition.Column}: the YAML parser stopped here ({e.Message})";
            }

            if (error.Message.Contains("tab", StringComparison.OrdinalIgnoreCase))
            {
                return $"{at} {scanner.CurrentPosition.Line}, column {scanner.CurrentPosition.Column}: {error.Message.TrimEnd('.')}: YAML indents with spaces, never tabs";
            }

            return $"{at} {error.Start.Line}, column {error.Start.Column}: {error.Message}";
        }
    }

    /// <summary>
    /// The innermost flow mapping or sequence (<c>{</c> or <c>[</c>) still open at <paramref name="end"/>, outside quotes
    /// and comments: where it was opened (1-based), the bracket that closes it, and its name.
    /// </summary>
    private static ((int Line, int Column) Opened, char Closer, string Kind)? UnclosedFlow(string yaml, long end)
    {
        var open = new Stack<(int Line, int Column, char Closer)>();
        var (line, column) = (1, 0);
        char quote = '\0';
        var comment = false;
        for (var i = 0; i < Math.Min(end, yaml.Length); i++)
        {
            var c = yaml[i];
            column++;
            if (c == '\n')
            {
                (line, column, comment) = (line + 1, 0, false);
                continue;
            }

            if (comment)
            {
                continue;
            }

            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
                continue;
            }

            switch (c)
            {
                case '\'' or '"':
                    quote = c;
                    break;
                case '#' when i == 0 || char.IsWhiteSpace(yaml[i - 1]):
                    comment = true;
                    break;
                case '{':
                    open.Push((line, column, '}'));
                    break;
                case '[':
                    open.Push((line, column, ']'));
                    break;
                case '}' or ']' when open.Count > 0:
                    open.Pop();
                    break;
            }
        }

        return open.TryPeek(out var top)
            ? ((top.Line, top.Column), top.Closer, top.Closer == '}' ? "flow mapping" : "flow sequence")
            : null;
    }

    /// <summary>
    /// The first key given twice in one mapping, as <c>kubectl apply</c> reports it (<c>line 8: mapping key "capital"
    /// already defined at line 5</c>), with its document; the deserializer would keep the last copy.
    /// </summary>
    private static string? DuplicateKey(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var document = 0;
        parser.Consume<YamlDotNet.Core.Events.StreamStart>();
        while (parser.TryConsume<YamlDotNet.Core.Events.DocumentStart>(out _))
        {
            document++;
            if (Node(parser) is { } found)
            {
                return $"document {document}: {found}";
            }

            parser.Consume<YamlDotNet.Core.Events.DocumentEnd>();
        }

        return null;

        static string? Node(IParser parser)
        {
            if (parser.TryConsume<YamlDotNet.Core.Events.MappingStart>(out _))
            {
                var keys = new Dictionary<string, long>(StringComparer.Ordinal);
                while (!parser.TryConsume<YamlDotNet.Core.Events.MappingEnd>(out _))
                {
                    if (parser.Current is YamlDotNet.Core.Events.Scalar key && !keys.TryAdd(key.Value, key.Start.Line))
                    {
                        return $"line {key.Start.Line}: mapping key \"{key.Value}\" already defined at line {keys[key.Value]}";
                    }

                    if ((Node(parser) ?? Node(parser)) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            }

            if (parser.TryConsume<YamlDotNet.Core.Events.SequenceStart>(out _))
            {
                while (!parser.TryConsume<YamlDotNet.Core.Events.SequenceEnd>(out _))
                {
                    if (Node(parser) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            }

            parser.Consume<YamlDotNet.Core.Events.NodeEvent>(); // a scalar or an alias
            return null;
        }
    }

    /// <summary>
    /// What <c>kubectl apply</c> would refuse before any field is read: a version the CRD does not serve, no name, or a
    /// name that is not a DNS subdomain (the API server's own rule and wording); null when the fund could be applied.
    /// </summary>
    private static string? Identity(JsonObject json)
    {
        var apiVersion = json["apiVersion"]!.GetValue<string>();
        if (apiVersion != IndexFund.ApiVersionName)
        {
            return $"apiVersion {apiVersion} is not served: no kind \"{IndexFund.KindName}\" in that version; the IndexFund API is {IndexFund.ApiVersionName}";
        }

        var name = (json["metadata"] as JsonObject)?["name"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        if (string.IsNullOrEmpty(name))
        {
            return "metadata.name is required: a fund needs a name";
        }

        return name.Length <= 253 && DnsSubdomain().IsMatch(name)
            ? null
            : $"metadata.name \"{name}\" is invalid: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial System.Text.RegularExpressions.Regex DnsSubdomain();

    private static bool IsIndexFund(JsonObject json) =>
        json["kind"]?.GetValue<string>() == IndexFund.KindName
        && json["apiVersion"]?.GetValue<string>() is { } apiVersion
        && apiVersion.StartsWith(IndexFund.Group + "/", StringComparison.Ordinal);

    /// <summary>A plain scalar of digits too long for a ulong, kept as its text instead of becoming a double.</summary>
    private sealed class LongIntegers : INodeDeserializer
    {
        public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer, out object? value, ObjectDeserializer rootDeserializer)
        {
            value = null;
            if (expectedType != typeof(object)
                || !reader.Accept<YamlDotNet.Core.Events.Scalar>(out var scalar)
                || scalar.Style != ScalarStyle.Plain
                || scalar.Value.Length < 20
                || !scalar.Value.All(char.IsAsciiDigit)
                || ulong.TryParse(scalar.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                return false;
            }

            reader.MoveNext();
            value = scalar.Value;
            return true;
        }
    }

    private static JsonNode? ToJson(object? yaml, string path) => yaml switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(p =>
        {
            var key = Convert.ToString(p.Key, System.Globalization.CultureInfo.InvariantCulture)!;
            return KeyValuePair.Create(key, ToJson(p.Value, path.Length == 0 ? key : $"{path}.{key}"));
        })),
        IList<object?> list => new JsonArray([.. list.Select((item, i) => ToJson(item, $"{path}[{i}]"))]),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        byte or sbyte or short or ushort or int or uint or long => JsonValue.Create(Convert.ToInt64(yaml, System.Globalization.CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        decimal d => JsonValue.Create(d),
        float or double => throw new JsonException($"{path}: {Convert.ToString(yaml, System.Globalization.CultureInfo.InvariantCulture)} is a floating-point number: write money and percentages as strings, e.g. \"25%\" or \"1000.50\""),
        _ => JsonValue.Create(Convert.ToString(yaml, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
