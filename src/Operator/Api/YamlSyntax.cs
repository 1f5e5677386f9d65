using YamlDotNet.Core;

namespace CryptoIndex.Operator.Api;

/// <summary>
/// Checks of a manifest's YAML before it is read, each giving one line that names the document, the line and the rule:
/// a syntax error where the parser means it, and a key given twice in one mapping (the deserializer keeps the last).
/// </summary>
internal static class YamlSyntax
{
    /// <summary>
    /// The first syntax error of <paramref name="yaml"/>, as one line naming its document, line and the rule; null when
    /// it parses. The parser's own complaint, at the place it means: YamlDotNet marks a tab used for indentation at the
    /// start of the enclosing mapping (line 1), so that one is placed where the scanner stopped, on the tab; and an
    /// unclosed flow mapping or sequence can make its scanner fail with no message at all, so that one is described as
    /// a YAML parser describes it, naming where the bracket was opened.
    /// </summary>
    public static string? FirstError(string yaml)
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
    public static string? DuplicateKey(string yaml)
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
}
