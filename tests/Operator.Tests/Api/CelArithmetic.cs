using System.Globalization;

namespace CryptoIndex.Operator.Tests.Api;

/// <summary>
/// One compile-time check of CEL, the one LocalKube cannot make (it does not compile <c>x-kubernetes-validations</c>):
/// CEL has no mixed numeric arithmetic, so <c>size(x) * 1.5</c> (int times double) is
/// <c>found no matching overload for '_*_' applied to '(int, double)'</c>, and a real API server refuses the whole CRD.
/// Parses the expression forms CRD rules use and infers the type of what is typed without a schema: literals,
/// <c>size</c>, <c>int</c>, <c>double</c>, <c>string</c>, <c>duration</c>, comparisons and logic; fields are unknown.
/// </summary>
internal sealed class CelArithmetic
{
    private readonly List<string> _tokens;
    private readonly List<string> _errors = [];
    private int _at;

    private CelArithmetic(string rule) => _tokens = Tokenize(rule);

    /// <summary>The overload errors of <paramref name="rule"/>, in cel-go's words; empty when it type-checks.</summary>
    public static IReadOnlyList<string> Errors(string rule)
    {
        var checker = new CelArithmetic(rule);
        checker.Ternary();
        if (checker._at != checker._tokens.Count)
        {
            throw new FormatException($"unexpected '{checker._tokens[checker._at]}' in {rule}");
        }

        return checker._errors;
    }

    private string? Peek => _at < _tokens.Count ? _tokens[_at] : null;

    private string Next() => _tokens[_at++];

    private void Expect(string token)
    {
        if (Peek != token)
        {
            throw new FormatException($"expected '{token}' at token {_at}, found '{Peek}'");
        }

        _at++;
    }

    private string? Ternary()
    {
        var condition = Binary(0);
        if (Peek != "?")
        {
            return condition;
        }

        Next();
        var a = Ternary();
        Expect(":");
        var b = Ternary();
        return a == b ? a : null;
    }

    private static readonly string[][] Levels =
    [
        ["||"], ["&&"], ["==", "!=", "<", "<=", ">", ">=", "in"], ["+", "-"], ["*", "/", "%"],
    ];

    private string? Binary(int level)
    {
        if (level == Levels.Length)
        {
            return Unary();
        }

        var left = Binary(level + 1);
        while (Peek is { } op && Levels[level].Contains(op))
        {
            Next();
            var right = Binary(level + 1);
            left = level switch
            {
                0 or 1 or 2 => "bool", // comparisons of int with double are allowed (cross-type numeric comparisons)
                _ => Arithmetic(op, left, right),
            };
        }

        return left;
    }

    private string? Arithmetic(string op, string? left, string? right)
    {
        if (left is "int" or "double" or "uint" && right is "int" or "double" or "uint" && left != right)
        {
            _errors.Add($"found no matching overload for '_{op}_' applied to '({left}, {right})'");
            return null;
        }

        return left == right ? left : null;
    }

    private string? Unary()
    {
        if (Peek is "!" or "-")
        {
            var op = Next();
            var operand = Unary();
            return op == "!" ? "bool" : operand;
        }

        return Postfix(Primary());
    }

    private string? Postfix(string? type)
    {
        while (Peek is "." or "[")
        {
            if (Next() == "[")
            {
                Ternary();
                Expect("]");
                type = null;
                continue;
            }

            var member = Next();
            if (Peek != "(")
            {
                type = null; // a field: its type comes from the schema
                continue;
            }

            Arguments();
            type = member switch
            {
                "all" or "exists" or "exists_one" or "startsWith" or "endsWith" or "contains" or "matches" => "bool",
                "replace" or "lowerAscii" or "upperAscii" or "trim" or "substring" => "string",
                "size" or "indexOf" or "lastIndexOf" => "int",
                _ => null,
            };
        }

        return type;
    }

    private void Arguments()
    {
        Expect("(");
        while (Peek != ")")
        {
            Ternary();
            if (Peek == ",")
            {
                Next();
            }
        }

        Expect(")");
    }

    private string? Primary()
    {
        var token = Next();
        if (token == "(")
        {
            var inner = Ternary();
            Expect(")");
            return inner;
        }

        if (token.StartsWith('\'') || token.StartsWith('"'))
        {
            return "string";
        }

        if (char.IsDigit(token[0]))
        {
            return token.EndsWith('u') ? "uint" : token.Contains('.', StringComparison.Ordinal) || token.Contains('e', StringComparison.Ordinal) ? "double" : "int";
        }

        if (token is "true" or "false")
        {
            return "bool";
        }

        if (Peek != "(")
        {
            return null; // self, a comprehension variable
        }

        Arguments();
        return token switch
        {
            "size" or "int" => "int",
            "uint" => "uint",
            "double" => "double",
            "string" => "string",
            "has" or "bool" => "bool",
            "duration" => "duration",
            "timestamp" => "timestamp",
            _ => null,
        };
    }

    private static List<string> Tokenize(string rule)
    {
        var tokens = new List<string>();
        for (var i = 0; i < rule.Length;)
        {
            var c = rule[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '\'' or '"')
            {
                var end = rule.IndexOf(c, i + 1);
                tokens.Add(rule[i..(end + 1)]);
                i = end + 1;
            }
            else if (char.IsLetterOrDigit(c) || c == '_')
            {
                var start = i;
                while (i < rule.Length && (char.IsLetterOrDigit(rule[i]) || rule[i] is '_' || (rule[i] == '.' && char.IsDigit(rule[start]) && i + 1 < rule.Length && char.IsDigit(rule[i + 1]))))
                {
                    i++;
                }

                tokens.Add(rule[start..i]);
            }
            else
            {
                var two = i + 1 < rule.Length ? rule.Substring(i, 2) : null;
                var op = two is "||" or "&&" or "==" or "!=" or "<=" or ">=" ? two : c.ToString(CultureInfo.InvariantCulture);
                tokens.Add(op);
                i += op.Length;
            }
        }

        return tokens;
    }
}
