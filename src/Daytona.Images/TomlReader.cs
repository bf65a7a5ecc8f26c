using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Daytona.Images
{
    /// <summary>
    /// A small TOML 1.0 reader, enough to read <c>pyproject.toml</c>: tables, arrays of tables, dotted and quoted keys,
    /// all four string forms, arrays, inline tables, booleans, integers, floats; dates and times are kept as their text.
    /// Values come back as <see cref="Dictionary{TKey,TValue}"/> (tables), <see cref="List{T}"/> (arrays),
    /// <see cref="string"/>, <see cref="long"/>, <see cref="double"/> and <see cref="bool"/>. The engine libraries keep
    /// third-party dependencies light and only <c>[project]</c> is needed, hence a reader of our own.
    /// </summary>
    public sealed class TomlReader
    {
        private readonly string _text;
        private int _pos;
        private int _line = 1;

        private TomlReader(string text)
        {
            _text = text;
        }

        /// <exception cref="FormatException">The text is not valid TOML (the message says where).</exception>
        public static Dictionary<string, object> Parse(string text) => new TomlReader(text).ParseDocument();

        private Dictionary<string, object> ParseDocument()
        {
            var root = new Dictionary<string, object>(StringComparer.Ordinal);
            var current = root;
            var defined = new HashSet<Dictionary<string, object>>();
            while (true)
            {
                SkipWhitespaceCommentsAndNewlines();
                if (_pos >= _text.Length)
                {
                    return root;
                }

                if (Peek() == '[')
                {
                    var arrayOfTables = _pos + 1 < _text.Length && _text[_pos + 1] == '[';
                    _pos += arrayOfTables ? 2 : 1;
                    SkipInlineWhitespace();
                    var keys = ParseKey();
                    SkipInlineWhitespace();
                    Expect(']');
                    if (arrayOfTables)
                    {
                        Expect(']');
                    }

                    current = arrayOfTables ? OpenArrayTable(root, keys) : OpenTable(root, keys, defined);
                    ExpectLineEnd();
                    continue;
                }

                ParseKeyValue(current);
                ExpectLineEnd();
            }
        }

        private Dictionary<string, object> OpenTable(Dictionary<string, object> root, List<string> keys, HashSet<Dictionary<string, object>> defined)
        {
            var table = root;
            foreach (var key in keys)
            {
                table = Descend(table, key);
            }

            if (!defined.Add(table))
            {
                throw Error("table [" + string.Join(".", keys) + "] is defined twice");
            }

            return table;
        }

        private Dictionary<string, object> OpenArrayTable(Dictionary<string, object> root, List<string> keys)
        {
            var table = root;
            for (var i = 0; i < keys.Count - 1; i++)
            {
                table = Descend(table, keys[i]);
            }

            var last = keys[keys.Count - 1];
            if (!table.TryGetValue(last, out var existing))
            {
                existing = new List<object>();
                table[last] = existing;
            }

            if (!(existing is List<object> list))
            {
                throw Error("key " + last + " is not an array of tables");
            }

            var item = new Dictionary<string, object>(StringComparer.Ordinal);
            list.Add(item);
            return item;
        }

        private Dictionary<string, object> Descend(Dictionary<string, object> table, string key)
        {
            if (!table.TryGetValue(key, out var next))
            {
                var created = new Dictionary<string, object>(StringComparer.Ordinal);
                table[key] = created;
                return created;
            }

            if (next is Dictionary<string, object> d)
            {
                return d;
            }

            if (next is List<object> l && l.Count > 0 && l[l.Count - 1] is Dictionary<string, object> lastTable)
            {
                return lastTable;
            }

            throw Error("key " + key + " is already defined as a value");
        }

        private void ParseKeyValue(Dictionary<string, object> table)
        {
            var keys = ParseKey();
            SkipInlineWhitespace();
            Expect('=');
            SkipInlineWhitespace();
            var value = ParseValue();
            for (var i = 0; i < keys.Count - 1; i++)
            {
                table = Descend(table, keys[i]);
            }

            var last = keys[keys.Count - 1];
            if (table.ContainsKey(last))
            {
                throw Error("key " + last + " is defined twice");
            }

            table[last] = value;
        }

        private List<string> ParseKey()
        {
            var keys = new List<string>();
            while (true)
            {
                SkipInlineWhitespace();
                var c = Peek();
                if (c == '"')
                {
                    keys.Add(ParseBasicString());
                }
                else if (c == '\'')
                {
                    keys.Add(ParseLiteralString());
                }
                else
                {
                    var start = _pos;
                    while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) && _text[_pos] < 128 || _text[_pos] == '_' || _text[_pos] == '-'))
                    {
                        _pos++;
                    }

                    if (_pos == start)
                    {
                        throw Error("expected a key");
                    }

                    keys.Add(_text.Substring(start, _pos - start));
                }

                SkipInlineWhitespace();
                if (Peek() != '.')
                {
                    return keys;
                }

                _pos++;
            }
        }

        private object ParseValue()
        {
            var c = Peek();
            switch (c)
            {
                case '"':
                    return StartsWith("\"\"\"") ? ParseMultilineBasicString() : ParseBasicString();
                case '\'':
                    return StartsWith("'''") ? ParseMultilineLiteralString() : ParseLiteralString();
                case '[':
                    return ParseArray();
                case '{':
                    return ParseInlineTable();
            }

            if (StartsWith("true"))
            {
                _pos += 4;
                return true;
            }

            if (StartsWith("false"))
            {
                _pos += 5;
                return false;
            }

            var start = _pos;
            while (_pos < _text.Length && !IsValueEnd(_text[_pos]))
            {
                _pos++;
            }

            // A date-time may contain one space between date and time.
            if (_pos < _text.Length && _text[_pos] == ' ' && _pos + 1 < _text.Length && char.IsDigit(_text[_pos + 1]) &&
                _pos - start == 10 && _text[start + 4] == '-')
            {
                _pos++;
                while (_pos < _text.Length && !IsValueEnd(_text[_pos]))
                {
                    _pos++;
                }
            }

            var raw = _text.Substring(start, _pos - start);
            if (raw.Length == 0)
            {
                throw Error("expected a value");
            }

            return ParseScalar(raw);
        }

        private static bool IsValueEnd(char c) => c == ',' || c == ']' || c == '}' || c == '#' || c == ' ' || c == '\t' || c == '\r' || c == '\n';

        private object ParseScalar(string raw)
        {
            var s = raw.Replace("_", string.Empty);
            if (s == "inf" || s == "+inf")
            {
                return double.PositiveInfinity;
            }

            if (s == "-inf")
            {
                return double.NegativeInfinity;
            }

            if (s == "nan" || s == "+nan" || s == "-nan")
            {
                return double.NaN;
            }

            if (s.StartsWith("0x", StringComparison.Ordinal))
            {
                return Convert.ToInt64(s.Substring(2), 16);
            }

            if (s.StartsWith("0o", StringComparison.Ordinal))
            {
                return Convert.ToInt64(s.Substring(2), 8);
            }

            if (s.StartsWith("0b", StringComparison.Ordinal))
            {
                return Convert.ToInt64(s.Substring(2), 2);
            }

            if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return integer;
            }

            if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && s.IndexOf(':') < 0)
            {
                return real;
            }

            if (raw.Length >= 8 && (char.IsDigit(raw[0]) && (raw.IndexOf('-') == 4 || raw.IndexOf(':') == 2)))
            {
                return raw;
            }

            throw Error("unexpected value '" + raw + "'");
        }

        private List<object> ParseArray()
        {
            Expect('[');
            var list = new List<object>();
            while (true)
            {
                SkipWhitespaceCommentsAndNewlines();
                if (Peek() == ']')
                {
                    _pos++;
                    return list;
                }

                list.Add(ParseValue());
                SkipWhitespaceCommentsAndNewlines();
                if (Peek() == ',')
                {
                    _pos++;
                    continue;
                }

                Expect(']');
                return list;
            }
        }

        private Dictionary<string, object> ParseInlineTable()
        {
            Expect('{');
            var table = new Dictionary<string, object>(StringComparer.Ordinal);
            SkipInlineWhitespace();
            if (Peek() == '}')
            {
                _pos++;
                return table;
            }

            while (true)
            {
                ParseKeyValue(table);
                SkipInlineWhitespace();
                if (Peek() == ',')
                {
                    _pos++;
                    continue;
                }

                Expect('}');
                return table;
            }
        }

        private string ParseBasicString()
        {
            Expect('"');
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length || _text[_pos] == '\n')
                {
                    throw Error("unterminated string");
                }

                var c = _text[_pos++];
                if (c == '"')
                {
                    return sb.ToString();
                }

                if (c == '\\')
                {
                    AppendEscape(sb);
                }
                else
                {
                    sb.Append(c);
                }
            }
        }

        private string ParseMultilineBasicString()
        {
            _pos += 3;
            SkipOneNewline();
            var sb = new StringBuilder();
            while (true)
            {
                if (_pos >= _text.Length)
                {
                    throw Error("unterminated multi-line string");
                }

                if (StartsWith("\"\"\""))
                {
                    // Up to two quotes may end the content right before the closing delimiter.
                    var extra = 0;
                    while (extra < 2 && _pos + 3 + extra < _text.Length && _text[_pos + 3 + extra] == '"')
                    {
                        extra++;
                    }

                    sb.Append('"', extra);
                    _pos += 3 + extra;
                    return sb.ToString();
                }

                var c = _text[_pos++];
                if (c == '\n')
                {
                    _line++;
                }

                if (c == '\\')
                {
                    var save = _pos;
                    while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t'))
                    {
                        _pos++;
                    }

                    if (_pos < _text.Length && (_text[_pos] == '\n' || _text[_pos] == '\r'))
                    {
                        while (_pos < _text.Length && JsText.IsWhiteSpace(_text[_pos]))
                        {
                            if (_text[_pos] == '\n')
                            {
                                _line++;
                            }

                            _pos++;
                        }

                        continue;
                    }

                    _pos = save;
                    AppendEscape(sb);
                }
                else
                {
                    sb.Append(c);
                }
            }
        }

        private string ParseLiteralString()
        {
            Expect('\'');
            var end = _text.IndexOf('\'', _pos);
            var newline = _text.IndexOf('\n', _pos);
            if (end < 0 || (newline >= 0 && newline < end))
            {
                throw Error("unterminated string");
            }

            var value = _text.Substring(_pos, end - _pos);
            _pos = end + 1;
            return value;
        }

        private string ParseMultilineLiteralString()
        {
            _pos += 3;
            SkipOneNewline();
            var end = _text.IndexOf("'''", _pos, StringComparison.Ordinal);
            if (end < 0)
            {
                throw Error("unterminated multi-line string");
            }

            while (end + 3 < _text.Length && _text[end + 3] == '\'' && end + 3 - _pos < int.MaxValue)
            {
                end++;
            }

            var value = _text.Substring(_pos, end - _pos);
            foreach (var ch in value)
            {
                if (ch == '\n')
                {
                    _line++;
                }
            }

            _pos = end + 3;
            return value;
        }

        private void AppendEscape(StringBuilder sb)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated escape");
            }

            var e = _text[_pos++];
            switch (e)
            {
                case 'b': sb.Append('\b'); break;
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'f': sb.Append('\f'); break;
                case 'r': sb.Append('\r'); break;
                case 'e': sb.Append('\x1B'); break;
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case 'u':
                case 'U':
                    var length = e == 'u' ? 4 : 8;
                    if (_pos + length > _text.Length)
                    {
                        throw Error("invalid unicode escape");
                    }

                    var cp = int.Parse(_text.Substring(_pos, length), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    sb.Append(char.ConvertFromUtf32(cp));
                    _pos += length;
                    break;
                default:
                    throw Error("invalid escape \\" + e);
            }
        }

        private void SkipOneNewline()
        {
            if (StartsWith("\r\n"))
            {
                _pos += 2;
                _line++;
            }
            else if (StartsWith("\n"))
            {
                _pos++;
                _line++;
            }
        }

        private void SkipInlineWhitespace()
        {
            while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t'))
            {
                _pos++;
            }
        }

        private void SkipWhitespaceCommentsAndNewlines()
        {
            while (_pos < _text.Length)
            {
                var c = _text[_pos];
                if (c == ' ' || c == '\t' || c == '\r')
                {
                    _pos++;
                }
                else if (c == '\n')
                {
                    _pos++;
                    _line++;
                }
                else if (c == '#')
                {
                    while (_pos < _text.Length && _text[_pos] != '\n')
                    {
                        _pos++;
                    }
                }
                else
                {
                    return;
                }
            }
        }

        private void ExpectLineEnd()
        {
            SkipInlineWhitespace();
            if (_pos < _text.Length && _text[_pos] == '#')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }
            }

            if (_pos < _text.Length && _text[_pos] == '\r')
            {
                _pos++;
            }

            if (_pos < _text.Length)
            {
                if (_text[_pos] != '\n')
                {
                    throw Error("expected the end of the line");
                }

                _pos++;
                _line++;
            }
        }

        private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

        private bool StartsWith(string s) => string.CompareOrdinal(_text, _pos, s, 0, s.Length) == 0;

        private void Expect(char c)
        {
            if (Peek() != c)
            {
                throw Error("expected '" + c + "'");
            }

            _pos++;
        }

        private FormatException Error(string message) => new FormatException(message + " at line " + _line.ToString(CultureInfo.InvariantCulture));
    }
}
