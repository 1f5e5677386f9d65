using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CryptoIndex.Packaging.Tests.Support;

/// <summary>
/// An evaluator for the subset of CEL (cel.dev) that the Flux health expressions in deploy/gitops/flux use, evaluated
/// as Flux does (cel-go, unchecked, the object's top-level fields as variables): identifiers, field selection,
/// <c>has()</c>, <c>list.exists(x, p)</c>, <c>==</c>, <c>!=</c>, <c>!</c>, <c>&amp;&amp;</c>, <c>||</c>, parentheses,
/// string, integer and boolean literals. Errors follow CEL: a missing variable or field is an error, which
/// <c>&amp;&amp;</c> and <c>||</c> absorb when the other side decides (<c>false &amp;&amp; error</c> is false,
/// <c>true || error</c> true), as <c>exists</c> does when an element is true. Anything outside the subset is refused
/// (<see cref="NotSupportedException"/>), so an expression edited beyond it fails its test instead of being misread.
/// </summary>
public static class Cel
{
    /// <summary>An evaluation error (cel-go returns it; Flux then reports the object's status as unknown).</summary>
    public sealed record Error(string Message);

    /// <summary>Evaluates <paramref name="expression"/> against <paramref name="obj"/>: a bool, or an <see cref="Error"/>.</summary>
    public static object Evaluate(string expression, JsonObject obj)
    {
        var parser = new Parser(Tokenize(expression));
        var ast = parser.ParseExpression();
        parser.ExpectEnd();
        var variables = obj.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return ast(variables);
    }

    private delegate object Node(IReadOnlyDictionary<string, JsonNode?> variables);

    private enum Kind { Identifier, String, Integer, Symbol, End }

    private sealed record Token(Kind Kind, string Text);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Identifier, text[start..i]));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < text.Length && char.IsDigit(text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(Kind.Integer, text[start..i]));
            }
            else if (c is '\'' or '"')
            {
                var end = text.IndexOf(c, i + 1);
                if (end < 0 || text[(i + 1)..end].Contains('\\', StringComparison.Ordinal))
                {
                    throw new NotSupportedException($"string literal at {i} (unterminated or with escapes) in: {text}");
                }

                tokens.Add(new Token(Kind.String, text[(i + 1)..end]));
                i = end + 1;
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                if (two is "==" or "!=" or "&&" or "||")
                {
                    tokens.Add(new Token(Kind.Symbol, two));
                    i += 2;
                }
                else if (c is '!' or '(' or ')' or '.' or ',')
                {
                    tokens.Add(new Token(Kind.Symbol, c.ToString()));
                    i++;
                }
                else
                {
                    throw new NotSupportedException($"'{c}' at {i} is outside the CEL subset this evaluator knows: {text}");
                }
            }
        }

        tokens.Add(new Token(Kind.End, string.Empty));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int position;

        private Token Peek => tokens[position];

        public void ExpectEnd()
        {
            if (Peek.Kind != Kind.End)
            {
                throw new NotSupportedException($"unexpected '{Peek.Text}' at token {position}");
            }
        }

        private bool Accept(string symbol)
        {
            if (Peek.Kind == Kind.Symbol && Peek.Text == symbol)
            {
                position++;
                return true;
            }

            return false;
        }

        private void Expect(string symbol)
        {
            if (!Accept(symbol))
            {
                throw new NotSupportedException($"expected '{symbol}', found '{Peek.Text}' at token {position}");
            }
        }

        private string ExpectIdentifier()
        {
            if (Peek.Kind != Kind.Identifier)
            {
                throw new NotSupportedException($"expected a name, found '{Peek.Text}' at token {position}");
            }

            return tokens[position++].Text;
        }

        // Precedence, loosest first: ||, &&, == and !=, unary !, member access.
        public Node ParseExpression()
        {
            var left = ParseAnd();
            while (Accept("||"))
            {
                var (l, r) = (left, ParseAnd());
                left = v => Or(l(v), r(v));
            }

            return left;
        }

        private Node ParseAnd()
        {
            var left = ParseRelation();
            while (Accept("&&"))
            {
                var (l, r) = (left, ParseRelation());
                left = v => And(l(v), r(v));
            }

            return left;
        }

        private Node ParseRelation()
        {
            var left = ParseUnary();
            while (Peek.Kind == Kind.Symbol && Peek.Text is "==" or "!=")
            {
                var negate = tokens[position++].Text == "!=";
                var (l, r) = (left, ParseUnary());
                left = v => Equal(l(v), r(v), negate);
            }

            return left;
        }

        private Node ParseUnary()
        {
            if (Accept("!"))
            {
                var operand = ParseUnary();
                return v => operand(v) switch
                {
                    bool b => !b,
                    Error e => e,
                    var other => new Error($"no such overload: !{Describe(other)}"),
                };
            }

            return ParseMember();
        }

        private Node ParseMember()
        {
            var node = ParsePrimary();
            while (Accept("."))
            {
                var name = ExpectIdentifier();
                if (Accept("("))
                {
                    if (name != "exists")
                    {
                        throw new NotSupportedException($"method {name}() is outside the CEL subset this evaluator knows");
                    }

                    var variable = ExpectIdentifier();
                    Expect(",");
                    var predicate = ParseExpression();
                    Expect(")");
                    var target = node;
                    node = v => Exists(target(v), variable, predicate, v);
                }
                else
                {
                    var target = node;
                    node = v => Select(target(v), name);
                }
            }

            return node;
        }

        private Node ParsePrimary()
        {
            var token = tokens[position++];
            switch (token.Kind)
            {
                case Kind.String:
                    return _ => token.Text;
                case Kind.Integer:
                    var number = long.Parse(token.Text, CultureInfo.InvariantCulture);
                    return _ => number;
                case Kind.Symbol when token.Text == "(":
                    var inner = ParseExpression();
                    Expect(")");
                    return inner;
                case Kind.Identifier when token.Text is "true" or "false":
                    var value = token.Text == "true";
                    return _ => value;
                case Kind.Identifier when token.Text == "has":
                    // has(a.b.f): whether a.b (which must evaluate, to a map) has the field f.
                    Expect("(");
                    var path = new List<string> { ExpectIdentifier() };
                    while (Accept("."))
                    {
                        path.Add(ExpectIdentifier());
                    }

                    Expect(")");
                    if (path.Count < 2)
                    {
                        throw new NotSupportedException("has() takes a field selection, e.g. has(status.conditions)");
                    }

                    var field = path[^1];
                    return v => path.Skip(1).SkipLast(1).Aggregate(Variable(v, path[0]), Select) switch
                    {
                        Error e => e,
                        JsonObject o => o.ContainsKey(field),
                        var other => new Error($"invalid type for field selection: {Describe(other)}"),
                    };
                case Kind.Identifier:
                    var name = token.Text;
                    return v => Variable(v, name);
                default:
                    throw new NotSupportedException($"unexpected '{token.Text}' at token {position - 1}");
            }
        }
    }

    private static object Variable(IReadOnlyDictionary<string, JsonNode?> variables, string name) =>
        variables.TryGetValue(name, out var found) ? Unwrap(found) : new Error($"no such attribute: {name}");

    private static object Unwrap(JsonNode? node) => node switch
    {
        null => new Error("null is outside this evaluator's subset"),
        JsonObject or JsonArray => node,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        JsonValue value when value.GetValueKind() == JsonValueKind.Number =>
            value.TryGetValue<long>(out var l) ? l : value.TryGetValue<int>(out var i) ? (long)i : value.GetValue<double>(),
        _ => new Error($"unsupported value {node.ToJsonString()}"),
    };

    private static object Select(object target, string name) => target switch
    {
        Error e => e,
        JsonObject o when o.TryGetPropertyValue(name, out var value) => Unwrap(value),
        JsonObject => new Error($"no such key: {name}"),
        var other => new Error($"type '{Describe(other)}' does not support field selection"),
    };

    private static object Exists(object target, string variable, Node predicate, IReadOnlyDictionary<string, JsonNode?> variables)
    {
        if (target is Error e)
        {
            return e;
        }

        if (target is not JsonArray list)
        {
            return new Error($"exists() on {Describe(target)}");
        }

        object result = false;
        foreach (var element in list)
        {
            var scope = new Dictionary<string, JsonNode?>(variables, StringComparer.Ordinal) { [variable] = element };
            result = Or(result, predicate(scope));
            if (result is true)
            {
                return true;
            }
        }

        return result;
    }

    private static object And(object left, object right) => (left, right) switch
    {
        (false, _) or (_, false) => false,
        (true, true) => true,
        (Error e, _) => e,
        (_, Error e) => e,
        _ => new Error($"no such overload: {Describe(left)} && {Describe(right)}"),
    };

    private static object Or(object left, object right) => (left, right) switch
    {
        (true, _) or (_, true) => true,
        (false, false) => false,
        (Error e, _) => e,
        (_, Error e) => e,
        _ => new Error($"no such overload: {Describe(left)} || {Describe(right)}"),
    };

    private static object Equal(object left, object right, bool negate) => (left, right) switch
    {
        (Error e, _) => e,
        (_, Error e) => e,
        _ => SameValue(left, right) != negate,
    };

    private static bool SameValue(object left, object right) => (left, right) switch
    {
        (long a, long b) => a == b,
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        (double a, double b) => a == b,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (bool a, bool b) => a == b,
        (JsonNode a, JsonNode b) => JsonNode.DeepEquals(a, b),
        _ => false, // CEL: values of different types are not equal
    };

    private static string Describe(object value) => value switch
    {
        JsonObject => "map",
        JsonArray => "list",
        string => "string",
        bool => "bool",
        long => "int",
        double => "double",
        _ => value.GetType().Name,
    };
}
