using System.Text;
using System.Text.Json;

namespace CryptoIndex.MarketData.Sources;

/// <summary>
/// A JSON syntax error of a document people write (a price file, holdings) in their terms: what is wrong and where,
/// lines and columns counted from 1 as editors count them, rather than .NET's text with 0-based positions
/// ("LineNumber: 1 | BytePositionInLine: 0"). A document that stops early (an object or array not closed) says so, and
/// names where the innermost one still open was opened.
/// </summary>
public static class JsonErrors
{
    public static string Describe(JsonException error, string text)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(text);
        var message = error.Message;
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal) is var path and >= 0 ? path : message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        message = (cut >= 0 ? message[..cut] : message).TrimEnd('.', ' ');

        // The first sentence says what is wrong; the rest is advice for .NET code ("Change the reader options").
        message = message.IndexOf(". ", StringComparison.Ordinal) is var sentence and > 0 ? message[..sentence] : message;
        if (text.Trim().Length == 0)
        {
            return "the file is empty: it holds no JSON";
        }

        var offset = Offset(text, error.LineNumber, error.BytePositionInLine);
        var (open, openString) = Unclosed(text);
        if (offset is null || text[offset.Value..].Trim().Length == 0)
        {
            var lastLine = text.TrimEnd().Split('\n').Length;
            if (openString is { } str)
            {
                return $"it ends (line {lastLine}) before the JSON is complete: the string opened at line {str.Line}, column {str.Column} is not closed";
            }

            if (open is { } o)
            {
                return $"it ends (line {lastLine}) before the JSON is complete: the {(o.Closer == '}' ? "object" : "array")} opened with '{(o.Closer == '}' ? '{' : '[')}' at line {o.Line}, column {o.Column} is not closed";
            }

            // Complete, but refused as a whole (a key given twice): .NET places it at the end, which says nothing.
            return message;
        }

        var (line, column) = Position(text, offset.Value);
        return $"line {line}, column {column}: {message}";
    }

    // The character offset of .NET's 0-based line and UTF-8 byte position; null when past the end.
    private static int? Offset(string text, long? lineNumber, long? bytePosition)
    {
        if (lineNumber is not { } line || bytePosition is not { } bytes)
        {
            return null;
        }

        var start = 0;
        for (var i = 0; i < line; i++)
        {
            var next = text.IndexOf('\n', start);
            if (next < 0)
            {
                return null;
            }

            start = next + 1;
        }

        var end = text.IndexOf('\n', start) is var e and >= 0 ? e : text.Length;
        var count = 0;
        var index = start;
        while (index < end && count < bytes)
        {
            count += Encoding.UTF8.GetByteCount(text.AsSpan(index, char.IsSurrogatePair(text, index) ? 2 : 1));
            index += char.IsSurrogatePair(text, index) ? 2 : 1;
        }

        return index >= text.Length ? null : index;
    }

    private static (int Line, int Column) Position(string text, int offset)
    {
        var line = 1 + text.AsSpan(0, offset).Count('\n');
        var column = offset - (text.LastIndexOf('\n', Math.Max(offset - 1, 0)) is var n and >= 0 && n < offset ? n + 1 : 0) + 1;
        return (line, column);
    }

    // The innermost '{' or '[' left open at the end of the text, outside strings, and the string left open, if any.
    private static ((int Line, int Column, char Closer)? Bracket, (int Line, int Column)? String) Unclosed(string text)
    {
        var open = new Stack<(int, int, char)>();
        var inString = false;
        var stringStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    stringStart = i;
                    break;
                case '{' or '[':
                    var (line, column) = Position(text, i);
                    open.Push((line, column, c == '{' ? '}' : ']'));
                    break;
                case '}' or ']' when open.Count > 0:
                    open.Pop();
                    break;
            }
        }

        return (open.Count > 0 ? open.Peek() : null, inString ? Position(text, stringStart) : null);
    }
}
