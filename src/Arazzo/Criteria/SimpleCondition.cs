using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Daytona.Arazzo.Expressions;

namespace Daytona.Arazzo.Criteria
{
    /// <summary>
    /// The Arazzo "simple" condition language: literals (true, false, null, numbers, 'single-quoted' strings),
    /// runtime expressions with <c>.</c> and <c>[]</c> access, comparisons (&lt; &lt;= &gt; &gt;= == !=, loose, strings
    /// compared case-insensitively), <c>!</c>, <c>&amp;&amp;</c>, <c>||</c> and parentheses. Written here: no library
    /// implements this grammar.
    /// </summary>
    public sealed class SimpleCondition
    {
        private readonly Node _root;

        private SimpleCondition(string text, Node root, bool usesDoubleQuotes)
        {
            Text = text;
            _root = root;
            UsesDoubleQuotes = usesDoubleQuotes;
        }

        public string Text { get; }

        /// <summary>True when a string literal was written in double quotes (the spec asks for single quotes).</summary>
        public bool UsesDoubleQuotes { get; }

        public static SimpleCondition Parse(string text)
        {
            if (!TryParse(text, out var condition, out var error))
            {
                throw new FormatException(error);
            }

            return condition!;
        }

        public static bool TryParse(string text, out SimpleCondition? condition, out string? error)
        {
            condition = null;
            error = null;
            try
            {
                var parser = new Parser(text ?? string.Empty);
                var root = parser.ParseExpression();
                parser.SkipSpace();
                if (!parser.AtEnd)
                {
                    error = $"Unexpected '{parser.Rest}' at position {parser.Position + 1} of condition '{text}'.";
                    return false;
                }

                condition = new SimpleCondition(text!, root, parser.DoubleQuoted);
                return true;
            }
            catch (FormatException e)
            {
                error = e.Message;
                return false;
            }
        }

        /// <summary>The runtime expressions the condition reads.</summary>
        public IEnumerable<RuntimeExpression> Expressions()
        {
            var stack = new Stack<Node>();
            stack.Push(_root);
            while (stack.Count > 0)
            {
                var node = stack.Pop();
                switch (node)
                {
                    case ExpressionNode e:
                        yield return e.Expression;
                        break;
                    case BinaryNode b:
                        stack.Push(b.Left);
                        stack.Push(b.Right);
                        break;
                    case NotNode n:
                        stack.Push(n.Operand);
                        break;
                }
            }
        }

        public bool Evaluate(ExpressionContext context) => Truthy(_root.Evaluate(context));

        internal static bool Truthy(JsonNode? value)
        {
            switch (value)
            {
                case null:
                    return false;
                case JsonValue v:
                    if (v.TryGetValue<bool>(out var b))
                    {
                        return b;
                    }

                    if (JsonUtil.TryGetNumber(v, out var n))
                    {
                        return n != 0;
                    }

                    if (v.TryGetValue<string>(out var s))
                    {
                        return s.Length > 0;
                    }

                    return true;
                default:
                    return true;
            }
        }

        /// <summary>Loose comparison: numbers numerically (numeric strings too), strings case-insensitively.</summary>
        internal static int? Compare(JsonNode? left, JsonNode? right)
        {
            if (left == null && right == null)
            {
                return 0;
            }

            if (left == null || right == null)
            {
                return null;
            }

            var leftNumber = NumberOf(left);
            var rightNumber = NumberOf(right);
            if (leftNumber.HasValue && rightNumber.HasValue)
            {
                return leftNumber.Value.CompareTo(rightNumber.Value);
            }

            if (left is JsonValue lv && right is JsonValue rv)
            {
                if (lv.TryGetValue<bool>(out var lb) && rv.TryGetValue<bool>(out var rb))
                {
                    return lb.CompareTo(rb);
                }

                return string.Compare(JsonUtil.Render(left), JsonUtil.Render(right), StringComparison.OrdinalIgnoreCase);
            }

            return JsonNode.DeepEquals(left, right) ? 0 : (int?)null;
        }

        private static double? NumberOf(JsonNode node)
        {
            if (JsonUtil.TryGetNumber(node, out var n))
            {
                return n;
            }

            if (JsonUtil.TryGetString(node, out var s) && s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }

            return null;
        }

        private abstract class Node
        {
            public abstract JsonNode? Evaluate(ExpressionContext context);
        }

        private sealed class LiteralNode : Node
        {
            private readonly JsonNode? _value;

            public LiteralNode(JsonNode? value) => _value = value;

            public override JsonNode? Evaluate(ExpressionContext context) => _value;
        }

        private sealed class ExpressionNode : Node
        {
            public ExpressionNode(RuntimeExpression expression, List<object> accessors)
            {
                Expression = expression;
                Accessors = accessors;
            }

            public RuntimeExpression Expression { get; }

            public List<object> Accessors { get; }

            public override JsonNode? Evaluate(ExpressionContext context)
            {
                var value = ExpressionEvaluator.Evaluate(Expression, context).Value;
                foreach (var accessor in Accessors)
                {
                    if (value is JsonValue text && text.TryGetValue<string>(out var s) && JsonUtil.TryParseJson(s, out var parsed) && !(parsed is JsonValue))
                    {
                        value = parsed;
                    }

                    switch (accessor)
                    {
                        case string name when value is JsonObject obj:
                            value = obj.TryGetPropertyValue(name, out var member) ? member : null;
                            break;
                        case string name when name == "length" && value is JsonArray lengthOf:
                            value = JsonValue.Create(lengthOf.Count);
                            break;
                        case int index when value is JsonArray array:
                            value = index >= 0 && index < array.Count ? array[index] : null;
                            break;
                        default:
                            value = null;
                            break;
                    }
                }

                return value;
            }
        }

        private sealed class NotNode : Node
        {
            public NotNode(Node operand) => Operand = operand;

            public Node Operand { get; }

            public override JsonNode? Evaluate(ExpressionContext context) => JsonValue.Create(!Truthy(Operand.Evaluate(context)));
        }

        private sealed class BinaryNode : Node
        {
            public BinaryNode(string op, Node left, Node right)
            {
                Operator = op;
                Left = left;
                Right = right;
            }

            public string Operator { get; }

            public Node Left { get; }

            public Node Right { get; }

            public override JsonNode? Evaluate(ExpressionContext context)
            {
                switch (Operator)
                {
                    case "&&":
                        return JsonValue.Create(Truthy(Left.Evaluate(context)) && Truthy(Right.Evaluate(context)));
                    case "||":
                        return JsonValue.Create(Truthy(Left.Evaluate(context)) || Truthy(Right.Evaluate(context)));
                }

                var comparison = Compare(Left.Evaluate(context), Right.Evaluate(context));
                bool result;
                switch (Operator)
                {
                    case "==":
                        result = comparison == 0;
                        break;
                    case "!=":
                        result = comparison != 0;
                        break;
                    case "<":
                        result = comparison < 0;
                        break;
                    case "<=":
                        result = comparison <= 0;
                        break;
                    case ">":
                        result = comparison > 0;
                        break;
                    default:
                        result = comparison >= 0;
                        break;
                }

                return JsonValue.Create(result);
            }
        }

        private sealed class Parser
        {
            private readonly string _text;
            private int _depth;

            public Parser(string text) => _text = text;

            public int Position { get; private set; }

            public bool DoubleQuoted { get; private set; }

            public bool AtEnd => Position >= _text.Length;

            public string Rest => _text.Substring(Position);

            public void SkipSpace()
            {
                while (Position < _text.Length && char.IsWhiteSpace(_text[Position]))
                {
                    Position++;
                }
            }

            public Node ParseExpression()
            {
                if (++_depth > 64)
                {
                    throw new FormatException("The condition nests too deeply.");
                }

                var left = ParseAnd();
                while (Take("||"))
                {
                    left = new BinaryNode("||", left, ParseAnd());
                }

                _depth--;
                return left;
            }

            private Node ParseAnd()
            {
                var left = ParseUnary();
                while (Take("&&"))
                {
                    left = new BinaryNode("&&", left, ParseUnary());
                }

                return left;
            }

            private Node ParseUnary()
            {
                SkipSpace();
                if (Position < _text.Length && _text[Position] == '!' && (Position + 1 >= _text.Length || _text[Position + 1] != '='))
                {
                    Position++;
                    if (++_depth > 64)
                    {
                        throw new FormatException("The condition nests too deeply.");
                    }

                    var operand = ParseUnary();
                    _depth--;
                    return new NotNode(operand);
                }

                var left = ParsePrimary();
                SkipSpace();
                foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
                {
                    if (Take(op))
                    {
                        return new BinaryNode(op, left, ParsePrimary());
                    }
                }

                return left;
            }

            private Node ParsePrimary()
            {
                SkipSpace();
                if (AtEnd)
                {
                    throw new FormatException($"The condition '{_text}' ends where a value was expected.");
                }

                var c = _text[Position];
                if (c == '(')
                {
                    Position++;
                    var inner = ParseExpression();
                    if (!Take(")"))
                    {
                        throw new FormatException($"Missing ')' in condition '{_text}'.");
                    }

                    return inner;
                }

                if (c == '\'' || c == '"')
                {
                    if (c == '"')
                    {
                        DoubleQuoted = true;
                    }

                    return new LiteralNode(JsonValue.Create(ReadString(c)));
                }

                if (c == '$')
                {
                    return ReadExpression();
                }

                if (char.IsDigit(c) || ((c == '-' || c == '+') && Position + 1 < _text.Length && char.IsDigit(_text[Position + 1])))
                {
                    var start = Position++;
                    while (Position < _text.Length && (char.IsDigit(_text[Position]) || _text[Position] == '.' || _text[Position] == 'e' || _text[Position] == 'E' || ((_text[Position] == '-' || _text[Position] == '+') && (_text[Position - 1] == 'e' || _text[Position - 1] == 'E'))))
                    {
                        Position++;
                    }

                    var number = _text.Substring(start, Position - start);
                    if (long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                    {
                        return new LiteralNode(JsonValue.Create(integer));
                    }

                    if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
                    {
                        return new LiteralNode(JsonValue.Create(real));
                    }

                    throw new FormatException($"'{number}' is not a number in condition '{_text}'.");
                }

                foreach (var (word, value) in new (string, JsonNode?)[] { ("true", JsonValue.Create(true)), ("false", JsonValue.Create(false)), ("null", null) })
                {
                    if (string.CompareOrdinal(_text, Position, word, 0, word.Length) == 0 && (Position + word.Length == _text.Length || !char.IsLetterOrDigit(_text[Position + word.Length])))
                    {
                        Position += word.Length;
                        return new LiteralNode(value);
                    }
                }

                throw new FormatException($"Unexpected '{_text.Substring(Position)}' in condition '{_text}': expected a runtime expression, a literal (true, false, null, a number, 'text') or '('.");
            }

            private string ReadString(char quote)
            {
                var builder = new StringBuilder();
                Position++;
                while (Position < _text.Length)
                {
                    var c = _text[Position++];
                    if (c == quote)
                    {
                        if (Position < _text.Length && _text[Position] == quote)
                        {
                            builder.Append(quote);
                            Position++;
                            continue;
                        }

                        return builder.ToString();
                    }

                    builder.Append(c);
                }

                throw new FormatException($"Unterminated string in condition '{_text}'.");
            }

            private Node ReadExpression()
            {
                var start = Position;
                var end = Position;
                while (end < _text.Length && !char.IsWhiteSpace(_text[end]) && "=<>&|()".IndexOf(_text[end]) < 0 && !(_text[end] == '!' && end + 1 < _text.Length && _text[end + 1] == '='))
                {
                    end++;
                }

                var token = _text.Substring(start, end - start);
                for (var length = token.Length; length > 1; length--)
                {
                    if (!RuntimeExpression.TryParse(token.Substring(0, length), out var expression, out _))
                    {
                        continue;
                    }

                    var accessors = new List<object>();
                    var rest = token.Substring(length);
                    if (!ParseAccessors(rest, accessors))
                    {
                        continue;
                    }

                    Position = end;
                    return new ExpressionNode(expression!, accessors);
                }

                RuntimeExpression.TryParse(token, out _, out var error);
                throw new FormatException($"'{token}' in condition '{_text}' is not a runtime expression: {error}");
            }

            private static bool ParseAccessors(string rest, List<object> accessors)
            {
                var i = 0;
                while (i < rest.Length)
                {
                    if (rest[i] == '.')
                    {
                        var start = ++i;
                        while (i < rest.Length && rest[i] != '.' && rest[i] != '[')
                        {
                            i++;
                        }

                        if (i == start)
                        {
                            return false;
                        }

                        accessors.Add(rest.Substring(start, i - start));
                    }
                    else if (rest[i] == '[')
                    {
                        var close = rest.IndexOf(']', i);
                        if (close < 0)
                        {
                            return false;
                        }

                        var inner = rest.Substring(i + 1, close - i - 1).Trim();
                        if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                        {
                            accessors.Add(index);
                        }
                        else if (inner.Length >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[inner.Length - 1] == inner[0])
                        {
                            accessors.Add(inner.Substring(1, inner.Length - 2));
                        }
                        else
                        {
                            return false;
                        }

                        i = close + 1;
                    }
                    else
                    {
                        return false;
                    }
                }

                return true;
            }

            private bool Take(string token)
            {
                SkipSpace();
                if (string.CompareOrdinal(_text, Position, token, 0, token.Length) == 0)
                {
                    Position += token.Length;
                    return true;
                }

                return false;
            }
        }
    }
}
