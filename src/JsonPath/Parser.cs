// Hand-written: no JSONPath library is served by the package registry here (JsonPath.Net is not), so the RFC 9535 parser is ours.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Daytona.JsonPath;

/// <summary>
/// Recursive-descent parser for the RFC 9535 grammar (Appendix A), producing the evaluation tree. It also enforces
/// the validity rules: integer ranges (±(2^53-1)), singular queries in comparisons, and the function type system
/// (§2.4.3 well-typedness). Recursion is bounded by <see cref="MaxNesting"/> so hostile queries cannot overflow the stack.
/// </summary>
internal sealed class Parser
{
    public const int MaxNesting = 128;
    private const long MaxSafeInteger = 9007199254740991; // 2^53 - 1

    private readonly string _s;
    private int _pos;
    private int _nesting;

    private Parser(string text) => _s = text;

    public static Query ParseQuery(string text)
    {
        var p = new Parser(text);
        if (text.Length == 0 || text[0] != '$') throw p.Error("a JSONPath query must start with '$'", 0);
        p._pos = 1;
        var query = p.ParseSegments(absolute: true);
        if (p._pos != text.Length) throw p.Error(p.DescribeUnexpected(), p._pos);
        return query;
    }

    // ---------------------------------------------------------------- segments and selectors

    private Query ParseSegments(bool absolute)
    {
        var segments = new List<Segment>();
        var singular = new List<SingularStep>();
        bool isSingular = true;

        while (true)
        {
            int save = _pos;
            SkipBlank();
            if (_pos >= _s.Length)
            {
                _pos = save;
                break;
            }

            char c = _s[_pos];
            if (c == '[')
            {
                var selectors = ParseBracketed(out bool blankInside);
                segments.Add(new Segment(false, selectors));
                if (isSingular && !blankInside && selectors.Length == 1 && selectors[0] is NameSelector ns)
                    singular.Add(new SingularStep(ns.Name));
                else if (isSingular && !blankInside && selectors.Length == 1 && selectors[0] is IndexSelector ix)
                    singular.Add(new SingularStep(ix.Index));
                else
                    isSingular = false;
            }
            else if (c == '.')
            {
                if (_pos + 1 < _s.Length && _s[_pos + 1] == '.')
                {
                    int at = _pos;
                    _pos += 2;
                    isSingular = false;
                    if (_pos < _s.Length && _s[_pos] == '[')
                    {
                        segments.Add(new Segment(true, ParseBracketed(out _)));
                    }
                    else if (_pos < _s.Length && _s[_pos] == '*')
                    {
                        _pos++;
                        segments.Add(new Segment(true, new Selector[] { WildcardSelector.Instance }));
                    }
                    else if (IsNameFirstAt(_pos))
                    {
                        segments.Add(new Segment(true, new Selector[] { new NameSelector(ParseMemberName()) }));
                    }
                    else
                    {
                        throw Error("'..' must be followed by a member name, '*' or '[' (no blank space)", at);
                    }
                }
                else
                {
                    int at = _pos;
                    _pos++;
                    if (_pos < _s.Length && _s[_pos] == '*')
                    {
                        _pos++;
                        isSingular = false;
                        segments.Add(new Segment(false, new Selector[] { WildcardSelector.Instance }));
                    }
                    else if (IsNameFirstAt(_pos))
                    {
                        var name = ParseMemberName();
                        segments.Add(new Segment(false, new Selector[] { new NameSelector(name) }));
                        singular.Add(new SingularStep(name));
                    }
                    else
                    {
                        throw Error("'.' must be followed by a member name or '*' (no blank space)", at);
                    }
                }
            }
            else
            {
                _pos = save;
                break;
            }
        }

        return new Query(absolute, segments.ToArray(), isSingular ? singular.ToArray() : null);
    }

    private bool IsNameFirstAt(int i)
    {
        if (i >= _s.Length) return false;
        char c = _s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
        if (c < 0x80) return false;
        if (char.IsHighSurrogate(c)) return i + 1 < _s.Length && char.IsLowSurrogate(_s[i + 1]);
        return !char.IsLowSurrogate(c);
    }

    private string ParseMemberName()
    {
        int start = _pos;
        while (_pos < _s.Length)
        {
            char c = _s[_pos];
            if ((c >= '0' && c <= '9') || IsNameFirstAt(_pos))
            {
                _pos += char.IsHighSurrogate(c) ? 2 : 1;
                continue;
            }
            if (char.IsSurrogate(c)) throw Error("unpaired surrogate in member name", _pos);
            break;
        }
        return _s.Substring(start, _pos - start);
    }

    private Selector[] ParseBracketed(out bool blankInside)
    {
        int open = _pos;
        _pos++; // '['
        blankInside = SkipBlank();
        var selectors = new List<Selector>();
        while (true)
        {
            if (_pos >= _s.Length) throw Error("unclosed '['", open);
            if (_s[_pos] == ']')
            {
                if (selectors.Count == 0) throw Error("empty selector list '[]'", _pos);
                throw Error("expected a selector after ','", _pos);
            }
            selectors.Add(ParseSelector(ref blankInside));
            blankInside |= SkipBlank();
            if (_pos >= _s.Length) throw Error("unclosed '['", open);
            if (_s[_pos] == ']')
            {
                _pos++;
                return selectors.ToArray();
            }
            if (_s[_pos] != ',') throw Error("expected ',' or ']' after a selector" + HintFor(_s[_pos]), _pos);
            _pos++;
            blankInside |= SkipBlank();
        }
    }

    private Selector ParseSelector(ref bool blankInside)
    {
        char c = _s[_pos];
        switch (c)
        {
            case '\'':
            case '"':
                return new NameSelector(ParseStringLiteral());
            case '*':
                _pos++;
                return WildcardSelector.Instance;
            case '?':
            {
                _pos++;
                SkipBlank();
                var expr = ParseLogicalOr();
                return new FilterSelector(ToLogical(expr));
            }
        }

        if (c == '-' || c == ':' || (c >= '0' && c <= '9'))
        {
            long? start = null;
            if (c != ':') start = ParseInt();
            int save = _pos;
            bool blank = SkipBlank();
            if (_pos >= _s.Length || _s[_pos] != ':')
            {
                _pos = save;
                return new IndexSelector(start!.Value);
            }
            blankInside |= blank;
            _pos++; // first ':'
            blankInside |= SkipBlank();
            long? end = null, step = null;
            if (_pos < _s.Length && (_s[_pos] == '-' || (_s[_pos] >= '0' && _s[_pos] <= '9')))
            {
                end = ParseInt();
                blankInside |= SkipBlank();
            }
            if (_pos < _s.Length && _s[_pos] == ':')
            {
                _pos++;
                blankInside |= SkipBlank();
                if (_pos < _s.Length && (_s[_pos] == '-' || (_s[_pos] >= '0' && _s[_pos] <= '9'))) step = ParseInt();
            }
            return new SliceSelector(start, end, step);
        }

        if (c == '@' || c == '$')
            throw Error("a query inside '[...]' must be a filter: write '[?" + c + "...]'", _pos);
        throw Error("expected a selector (name, '*', index, slice or '?filter')" + HintFor(c), _pos);
    }

    /// <summary>int = "0" / (["-"] DIGIT1 *DIGIT), within ±(2^53-1).</summary>
    private long ParseInt()
    {
        int start = _pos;
        bool negative = false;
        if (_pos < _s.Length && _s[_pos] == '-')
        {
            negative = true;
            _pos++;
        }
        if (_pos >= _s.Length || _s[_pos] < '0' || _s[_pos] > '9') throw Error("expected an integer", start);
        if (_s[_pos] == '0')
        {
            if (negative) throw Error("'-0' is not a valid integer here", start);
            _pos++;
            if (_pos < _s.Length && _s[_pos] >= '0' && _s[_pos] <= '9') throw Error("leading zeros are not allowed", start);
            return 0;
        }
        long value = 0;
        bool overflow = false;
        while (_pos < _s.Length && _s[_pos] >= '0' && _s[_pos] <= '9')
        {
            if (!overflow)
            {
                value = value * 10 + (_s[_pos] - '0');
                if (value > MaxSafeInteger) overflow = true;
            }
            _pos++;
        }
        if (overflow) throw Error("integer out of range (the limit is ±(2^53-1))", start);
        return negative ? -value : value;
    }

    // ---------------------------------------------------------------- string literals

    private string ParseStringLiteral()
    {
        int open = _pos;
        char quote = _s[_pos++];
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _s.Length) throw Error("unterminated string literal", open);
            char c = _s[_pos];
            if (c == quote)
            {
                _pos++;
                return sb.ToString();
            }
            if (c == '\\')
            {
                int escAt = _pos;
                _pos++;
                if (_pos >= _s.Length) throw Error("incomplete escape sequence", escAt);
                char e = _s[_pos++];
                switch (e)
                {
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case '/': sb.Append('/'); break;
                    case '\\': sb.Append('\\'); break;
                    case '\'' when quote == '\'': sb.Append('\''); break;
                    case '"' when quote == '"': sb.Append('"'); break;
                    case 'u':
                    {
                        int cp = ParseHex4(escAt);
                        if (cp >= 0xD800 && cp <= 0xDBFF)
                        {
                            if (_pos + 1 < _s.Length && _s[_pos] == '\\' && _s[_pos + 1] == 'u')
                            {
                                int lowAt = _pos;
                                _pos += 2;
                                int low = ParseHex4(lowAt);
                                if (low < 0xDC00 || low > 0xDFFF) throw Error("a high surrogate escape must be followed by a low surrogate escape", lowAt);
                                sb.Append((char)cp).Append((char)low);
                            }
                            else
                            {
                                throw Error("a high surrogate escape must be followed by a low surrogate escape", escAt);
                            }
                        }
                        else if (cp >= 0xDC00 && cp <= 0xDFFF)
                        {
                            throw Error("unpaired low surrogate escape", escAt);
                        }
                        else
                        {
                            sb.Append((char)cp);
                        }
                        break;
                    }
                    default:
                        throw Error("invalid escape sequence '\\" + Printable(e) + "'", escAt);
                }
                continue;
            }
            if (c < 0x20) throw Error("control characters must be escaped in string literals", _pos);
            if (char.IsHighSurrogate(c))
            {
                if (_pos + 1 >= _s.Length || !char.IsLowSurrogate(_s[_pos + 1])) throw Error("unpaired surrogate in string literal", _pos);
                sb.Append(c).Append(_s[_pos + 1]);
                _pos += 2;
                continue;
            }
            if (char.IsLowSurrogate(c)) throw Error("unpaired surrogate in string literal", _pos);
            sb.Append(c);
            _pos++;
        }
    }

    private int ParseHex4(int escAt)
    {
        if (_pos + 4 > _s.Length) throw Error("'\\u' must be followed by four hex digits", escAt);
        int v = 0;
        for (int i = 0; i < 4; i++)
        {
            char h = _s[_pos + i];
            int d = h >= '0' && h <= '9' ? h - '0'
                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                : -1;
            if (d < 0) throw Error("'\\u' must be followed by four hex digits", escAt);
            v = v * 16 + d;
        }
        _pos += 4;
        return v;
    }

    // ---------------------------------------------------------------- filter expressions

    /// <summary>Parse-time expression, before it is given its place in the type system.</summary>
    private abstract class PExpr
    {
        public int Position;
    }

    private sealed class PLiteral : PExpr
    {
        public Val Value;
    }

    private sealed class PQuery : PExpr
    {
        public Query Query = null!;
    }

    private enum FnType
    {
        Value,
        Logical,
        Nodes,
    }

    private sealed class PFunction : PExpr
    {
        public string Name = "";
        public FnType Result;
        public ValueExpr? AsValue;
        public LogicalExpr? AsLogical;
#pragma warning disable CS0649 // NodesType results are part of the type system; no built-in function returns one
        public NodesExpr? AsNodes;
#pragma warning restore CS0649
    }

    private sealed class PLogical : PExpr
    {
        public LogicalExpr Expr = null!;
    }

    private PExpr ParseLogicalOr()
    {
        Enter();
        int start = _pos;
        var first = ParseLogicalAnd();
        List<LogicalExpr>? operands = null;
        while (true)
        {
            int save = _pos;
            SkipBlank();
            if (_pos + 1 < _s.Length && _s[_pos] == '|' && _s[_pos + 1] == '|')
            {
                _pos += 2;
                SkipBlank();
                operands ??= new List<LogicalExpr> { ToLogical(first) };
                operands.Add(ToLogical(ParseLogicalAnd()));
                continue;
            }
            _pos = save;
            break;
        }
        _nesting--;
        return operands == null ? first : new PLogical { Position = start, Expr = new OrExpr(operands.ToArray()) };
    }

    private PExpr ParseLogicalAnd()
    {
        int start = _pos;
        var first = ParseBasic();
        List<LogicalExpr>? operands = null;
        while (true)
        {
            int save = _pos;
            SkipBlank();
            if (_pos + 1 < _s.Length && _s[_pos] == '&' && _s[_pos + 1] == '&')
            {
                _pos += 2;
                SkipBlank();
                operands ??= new List<LogicalExpr> { ToLogical(first) };
                operands.Add(ToLogical(ParseBasic()));
                continue;
            }
            _pos = save;
            break;
        }
        return operands == null ? first : new PLogical { Position = start, Expr = new AndExpr(operands.ToArray()) };
    }

    /// <summary>basic-expr = paren-expr / comparison-expr / test-expr (a bare comparable is returned as is, so that
    /// function arguments can be literals, queries or function results).</summary>
    private PExpr ParseBasic()
    {
        int start = _pos;
        if (_pos >= _s.Length) throw Error("expected an expression", _pos);
        char c = _s[_pos];
        if (c == '!')
        {
            _pos++;
            SkipBlank();
            if (_pos < _s.Length && _s[_pos] == '(')
                return new PLogical { Position = start, Expr = new NotExpr(ParseParen()) };
            int operandAt = _pos;
            var operand = ParsePrimary();
            if (operand is PLiteral) throw Error("'!' applies to a query, a function or a parenthesized expression, not to a literal", operandAt);
            var negated = new NotExpr(ToLogical(operand));
            int save = _pos;
            SkipBlank();
            if (PeekComparisonOp(out _) != 0)
                throw Error("'!' cannot negate a comparison without parentheses: write '!(a == b)'", start);
            _pos = save;
            return new PLogical { Position = start, Expr = negated };
        }
        if (c == '(') return new PLogical { Position = start, Expr = ParseParen() };

        var left = ParsePrimary();
        int beforeOp = _pos;
        SkipBlank();
        int opLength = PeekComparisonOp(out var op);
        if (opLength == 0)
        {
            _pos = beforeOp;
            return left;
        }
        int opAt = _pos;
        _pos += opLength;
        SkipBlank();
        if (_pos >= _s.Length) throw Error("expected a value after the comparison operator", opAt);
        if (_s[_pos] == '(' || _s[_pos] == '!') throw Error("the right side of a comparison must be a literal, a singular query or a function", _pos);
        var right = ParsePrimary();
        var expr = new ComparisonExpr(ToValue(left, "compared"), op, ToValue(right, "compared"));
        return new PLogical { Position = start, Expr = expr };
    }

    private LogicalExpr ParseParen()
    {
        int open = _pos;
        _pos++; // '('
        SkipBlank();
        var inner = ToLogical(ParseLogicalOr());
        SkipBlank();
        if (_pos >= _s.Length || _s[_pos] != ')') throw Error("expected ')'", _pos >= _s.Length ? open : _pos);
        _pos++;
        return inner;
    }

    private int PeekComparisonOp(out ComparisonOp op)
    {
        op = ComparisonOp.Eq;
        if (_pos >= _s.Length) return 0;
        char c = _s[_pos];
        char n = _pos + 1 < _s.Length ? _s[_pos + 1] : '\0';
        switch (c)
        {
            case '=' when n == '=': op = ComparisonOp.Eq; return 2;
            case '!' when n == '=': op = ComparisonOp.Ne; return 2;
            case '<' when n == '=': op = ComparisonOp.Le; return 2;
            case '>' when n == '=': op = ComparisonOp.Ge; return 2;
            case '<': op = ComparisonOp.Lt; return 1;
            case '>': op = ComparisonOp.Gt; return 1;
            case '=': throw Error("use '==' for equality", _pos);
            default: return 0;
        }
    }

    /// <summary>A literal, a filter query (@... or $...), or a function call.</summary>
    private PExpr ParsePrimary()
    {
        int start = _pos;
        if (_pos >= _s.Length) throw Error("expected a literal, a query or a function", _pos);
        char c = _s[_pos];
        if (c == '@' || c == '$')
        {
            _pos++;
            var q = ParseSegments(absolute: c == '$');
            return new PQuery { Position = start, Query = q };
        }
        if (c == '\'' || c == '"') return new PLiteral { Position = start, Value = Val.FromString(ParseStringLiteral()) };
        if (c == '-' || (c >= '0' && c <= '9')) return new PLiteral { Position = start, Value = ParseNumber() };
        if (c >= 'a' && c <= 'z')
        {
            int p = _pos + 1;
            while (p < _s.Length && ((_s[p] >= 'a' && _s[p] <= 'z') || (_s[p] >= '0' && _s[p] <= '9') || _s[p] == '_')) p++;
            string name = _s.Substring(_pos, p - _pos);
            if (p < _s.Length && _s[p] == '(')
            {
                _pos = p;
                return ParseFunction(name, start);
            }
            _pos = p;
            switch (name)
            {
                case "true": return new PLiteral { Position = start, Value = Val.True };
                case "false": return new PLiteral { Position = start, Value = Val.False };
                case "null": return new PLiteral { Position = start, Value = Val.Null };
            }
            int q2 = p;
            while (q2 < _s.Length && (_s[q2] == ' ' || _s[q2] == '\t' || _s[q2] == '\n' || _s[q2] == '\r')) q2++;
            if (q2 < _s.Length && _s[q2] == '(')
                throw Error("no blank space is allowed between a function name and '('", p);
            throw Error("unknown identifier '" + name + "' (literals are true, false, null; functions need '(')", start);
        }
        throw Error("expected a literal, a query or a function" + HintFor(c), _pos);
    }

    /// <summary>number = (int / "-0") [ frac ] [ exp ]</summary>
    private Val ParseNumber()
    {
        int start = _pos;
        if (_s[_pos] == '-') _pos++;
        if (_pos >= _s.Length || _s[_pos] < '0' || _s[_pos] > '9') throw Error("invalid number", start);
        if (_s[_pos] == '0')
        {
            _pos++;
            if (_pos < _s.Length && _s[_pos] >= '0' && _s[_pos] <= '9') throw Error("leading zeros are not allowed in numbers", start);
        }
        else
        {
            while (_pos < _s.Length && _s[_pos] >= '0' && _s[_pos] <= '9') _pos++;
        }
        if (_pos < _s.Length && _s[_pos] == '.')
        {
            _pos++;
            if (_pos >= _s.Length || _s[_pos] < '0' || _s[_pos] > '9') throw Error("a fraction needs at least one digit after '.'", start);
            while (_pos < _s.Length && _s[_pos] >= '0' && _s[_pos] <= '9') _pos++;
        }
        if (_pos < _s.Length && (_s[_pos] == 'e' || _s[_pos] == 'E'))
        {
            _pos++;
            if (_pos < _s.Length && (_s[_pos] == '+' || _s[_pos] == '-')) _pos++;
            if (_pos >= _s.Length || _s[_pos] < '0' || _s[_pos] > '9') throw Error("an exponent needs at least one digit", start);
            while (_pos < _s.Length && _s[_pos] >= '0' && _s[_pos] <= '9') _pos++;
        }
        return Val.FromNumber(JsonValues.ParseNumberText(_s.Substring(start, _pos - start)));
    }

    private PExpr ParseFunction(string name, int start)
    {
        Enter();
        FnType[] parameters;
        FnType result;
        switch (name)
        {
            case "length": parameters = new[] { FnType.Value }; result = FnType.Value; break;
            case "count": parameters = new[] { FnType.Nodes }; result = FnType.Value; break;
            case "value": parameters = new[] { FnType.Nodes }; result = FnType.Value; break;
            case "match":
            case "search": parameters = new[] { FnType.Value, FnType.Value }; result = FnType.Logical; break;
            default: throw Error("unknown function '" + name + "' (known: length, count, match, search, value)", start);
        }

        _pos++; // '('
        SkipBlank();
        var args = new List<PExpr>();
        if (_pos < _s.Length && _s[_pos] == ')')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                args.Add(ParseLogicalOr());
                SkipBlank();
                if (_pos >= _s.Length) throw Error("unclosed function call '" + name + "('", start);
                if (_s[_pos] == ')')
                {
                    _pos++;
                    break;
                }
                if (_s[_pos] != ',') throw Error("expected ',' or ')' in the arguments of '" + name + "'", _pos);
                _pos++;
                SkipBlank();
            }
        }
        if (args.Count != parameters.Length)
            throw Error("function '" + name + "' takes " + parameters.Length + " argument" + (parameters.Length == 1 ? "" : "s") + ", got " + args.Count, start);

        string what = "passed to " + name + "()";
        var fn = new PFunction { Position = start, Name = name, Result = result };
        switch (name)
        {
            case "length": fn.AsValue = new LengthFunction(ToValue(args[0], what)); break;
            case "count": fn.AsValue = new CountFunction(ToNodes(args[0], name)); break;
            case "value": fn.AsValue = new ValueFunction(ToNodes(args[0], name)); break;
            case "match": fn.AsLogical = new RegexFunctionExpr(ToValue(args[0], what), ToValue(args[1], what), fullMatch: true); break;
            case "search": fn.AsLogical = new RegexFunctionExpr(ToValue(args[0], what), ToValue(args[1], what), fullMatch: false); break;
        }
        _nesting--;
        return fn;
    }

    // ---------------------------------------------------------------- type system (RFC 9535 §2.4.1-2.4.3)

    private LogicalExpr ToLogical(PExpr e)
    {
        switch (e)
        {
            case PLogical l: return l.Expr;
            case PQuery q: return new ExistsExpr(q.Query);
            case PFunction f when f.Result == FnType.Logical: return f.AsLogical!;
            case PFunction f when f.Result == FnType.Nodes: return new NodesExistExpr(f.AsNodes!);
            case PFunction f: throw Error("the result of " + f.Name + "() is a value and must be compared (e.g. " + f.Name + "(...) > 0)", f.Position);
            case PLiteral lit: throw Error("a literal cannot be a test by itself; it must be compared", lit.Position);
            default: throw Error("expected a logical expression", e.Position);
        }
    }

    private ValueExpr ToValue(PExpr e, string role)
    {
        switch (e)
        {
            case PLiteral l: return new LiteralValue(l.Value);
            case PQuery q when q.Query.IsSingular: return new SingularQueryValue(q.Query);
            case PQuery q: throw Error("a non-singular query cannot be " + role + " (only names and indexes, e.g. @.a[0], select a single value)", q.Position);
            case PFunction f when f.Result == FnType.Value: return f.AsValue!;
            case PFunction f: throw Error("the result of " + f.Name + "() is " + (f.Result == FnType.Logical ? "a logical value" : "a nodelist") + " and cannot be " + role, f.Position);
            default: throw Error("a logical expression cannot be " + role, e.Position);
        }
    }

    private NodesExpr ToNodes(PExpr e, string function)
    {
        switch (e)
        {
            case PQuery q: return new QueryNodes(q.Query);
            case PFunction f when f.Result == FnType.Nodes: return f.AsNodes!;
            default: throw Error(function + "() takes a query (a nodelist) as its argument", e.Position);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Skips blank space (space, tab, LF, CR); returns whether any was skipped.</summary>
    private bool SkipBlank()
    {
        int start = _pos;
        while (_pos < _s.Length)
        {
            char c = _s[_pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            _pos++;
        }
        return _pos != start;
    }

    private void Enter()
    {
        if (++_nesting > MaxNesting) throw Error("the query nests too deeply (more than " + MaxNesting + " levels)", _pos);
    }

    private string DescribeUnexpected()
    {
        char c = _s[_pos];
        int p = _pos;
        while (p < _s.Length && (_s[p] == ' ' || _s[p] == '\t' || _s[p] == '\n' || _s[p] == '\r')) p++;
        if (p < _s.Length && (_s[p] == '=' || _s[p] == '!' || _s[p] == '<' || _s[p] == '>'))
            return "a comparison is only allowed inside a filter selector, e.g. $[?@.a == 1]";
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return "unexpected blank space (none is allowed at the end of a query)";
        return "unexpected '" + Printable(c) + "'" + HintFor(c);
    }

    private static string HintFor(char c) => c switch
    {
        '=' => "; comparisons are only allowed inside a filter, e.g. $[?@.a == 1]",
        _ => "",
    };

    private static string Printable(char c) =>
        c < 0x20 ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString();

    private JsonPathException Error(string message, int position) => new(message, position);
}
