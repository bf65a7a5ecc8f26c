using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json.Nodes;
using System.Linq;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Daytona.Arazzo.Yaml
{
    /// <summary>A 1-based line and column in a source text.</summary>
    public readonly struct SourcePosition
    {
        public SourcePosition(int line, int column)
        {
            Line = line;
            Column = column;
        }

        public int Line { get; }

        public int Column { get; }

        public override string ToString() => $"{Line}:{Column}";
    }

    /// <summary>YAML or JSON text that could not be read, with where the reader stopped.</summary>
    public sealed class YamlJsonException : Exception
    {
        public YamlJsonException(string message, SourcePosition position, Exception? inner = null)
            : base(message, inner)
        {
            Position = position;
        }

        public SourcePosition Position { get; }
    }

    /// <summary>A parsed document: its JSON value tree and where each node (by JSON path) starts in the text.</summary>
    public sealed class YamlJsonDocument
    {
        internal YamlJsonDocument(JsonNode? root, Dictionary<string, SourcePosition> positions)
        {
            Root = root;
            Positions = positions;
        }

        public JsonNode? Root { get; }

        /// <summary>Start of each node, keyed by the path <see cref="JsonPaths"/> builds (e.g. <c>$.workflows[0].stepId</c>).</summary>
        public IReadOnlyDictionary<string, SourcePosition> Positions { get; }

        /// <summary>The position of a path, or of its nearest ancestor that has one.</summary>
        public SourcePosition? Find(string path)
        {
            var current = path;
            while (!string.IsNullOrEmpty(current))
            {
                if (Positions.TryGetValue(current, out var position))
                {
                    return position;
                }

                current = JsonPaths.Parent(current);
            }

            return null;
        }
    }

    /// <summary>Builds and takes apart the normalized JSON paths used for diagnostics: <c>$.a[0]['b c']</c>.</summary>
    public static class JsonPaths
    {
        public const string Root = "$";

        public static string Property(string parent, string name)
        {
            if (IsIdentifier(name))
            {
                return parent + "." + name;
            }

            return parent + "['" + name.Replace("\\", "\\\\").Replace("'", "\\'") + "']";
        }

        public static string Index(string parent, int index) => parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

        /// <summary>The parent path, or null for the root.</summary>
        public static string? Parent(string path)
        {
            if (path.Length <= 1)
            {
                return null;
            }

            if (path[path.Length - 1] == ']')
            {
                // Find the matching '[' outside quotes, scanning from the start.
                var open = -1;
                var inQuote = false;
                for (var i = 0; i < path.Length; i++)
                {
                    var c = path[i];
                    if (inQuote)
                    {
                        if (c == '\\')
                        {
                            i++;
                        }
                        else if (c == '\'')
                        {
                            inQuote = false;
                        }
                    }
                    else if (c == '\'')
                    {
                        inQuote = true;
                    }
                    else if (c == '[' || c == '.')
                    {
                        open = i;
                    }
                }

                return open <= 0 ? Root : path.Substring(0, open);
            }

            var dot = path.LastIndexOf('.');
            return dot <= 0 ? Root : path.Substring(0, dot);
        }

        private static bool IsIdentifier(string name)
        {
            if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_'))
            {
                return false;
            }

            foreach (var c in name)
            {
                if (!(c < 128 && (char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '$')))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Reads YAML (and therefore JSON, a subset of YAML 1.2) into System.Text.Json nodes, the runtime value model
    /// of the Arazzo engine. Plain scalars become numbers, booleans and null by the YAML 1.2 core schema; quoted
    /// scalars stay strings. Guards against alias bombs and runaway nesting so hostile input ends in an error,
    /// never a hang.
    /// </summary>
    public static class YamlJson
    {
        /// <summary>Deepest nesting accepted.</summary>
        public const int MaxDepth = 256;

        /// <summary>Most nodes accepted after alias expansion.</summary>
        public const int MaxNodes = 2_000_000;

        /// <summary>
        /// Most nodes all aliases together may copy (an alias bomb is refused before it builds ~100 MB of copies; real
        /// documents reuse a few small anchors).
        /// </summary>
        public const int MaxAliasNodes = 250_000;

        public static JsonNode? Parse(string text) => Load(text).Root;

        /// <summary>Parses text, keeping the line and column of every node. Throws <see cref="YamlJsonException"/>.</summary>
        public static YamlJsonDocument Load(string text)
        {
            if (text == null)
            {
                throw new ArgumentNullException(nameof(text));
            }

            var positions = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
            EventReader? reader = null;
            try
            {
                var parser = new Parser(new StringReader(text));
                parser.Consume<StreamStart>();
                if (!parser.Accept<DocumentStart>(out _))
                {
                    return new YamlJsonDocument(null, positions);
                }

                parser.Consume<DocumentStart>();
                reader = new EventReader(parser, positions);
                var root = reader.Read(JsonPaths.Root, 0);
                return new YamlJsonDocument(root, positions);
            }
            catch (YamlException e)
            {
                throw new YamlJsonException(Clean(e), new SourcePosition((int)e.Start.Line, (int)e.Start.Column), e);
            }
            catch (Exception e) when (e is ArgumentException || e is InvalidOperationException)
            {
                // YamlDotNet's scanner fails this way (not with a YamlException) on some unclosed flow collections:
                // say where reading stopped and what was still open, never the bare .NET message.
                throw reader?.Stopped(e) ?? new YamlJsonException("The text cannot be read as YAML from its first line.", new SourcePosition(1, 1), e);
            }
        }

        /// <summary>
        /// Builds JSON nodes straight from the parser's events (no intermediate representation model): anchors are
        /// kept as converted nodes and copied at each alias, with their size counted against <see cref="MaxNodes"/>.
        /// </summary>
        private sealed class EventReader
        {
            private readonly IParser _parser;
            private readonly Dictionary<string, SourcePosition> _positions;
            private readonly Dictionary<string, (JsonNode? Node, int Size)> _anchors = new Dictionary<string, (JsonNode?, int)>(StringComparer.Ordinal);
            private readonly Stack<NodeEvent> _open = new Stack<NodeEvent>();
            private Mark _readUpTo = Mark.Empty;
            private int _nodes;
            private int _aliasNodes;

            public EventReader(IParser parser, Dictionary<string, SourcePosition> positions)
            {
                _parser = parser;
                _positions = positions;
            }

            public JsonNode? Read(string path, int depth)
            {
                var current = _parser.Current ?? throw new YamlJsonException("The document ends where a value was expected.", new SourcePosition(1, 1));
                var position = new SourcePosition((int)current.Start.Line, (int)current.Start.Column);
                if (depth > MaxDepth)
                {
                    throw new YamlJsonException($"The document nests deeper than {MaxDepth} levels.", position);
                }

                if (!_positions.ContainsKey(path))
                {
                    _positions[path] = position;
                }

                var before = _nodes;
                if (++_nodes > MaxNodes)
                {
                    throw new YamlJsonException($"The document expands to more than {MaxNodes} nodes (alias expansion?).", position);
                }

                switch (current)
                {
                    case Scalar scalar:
                        {
                            Advance();
                            var value = ConvertScalar(scalar.Value ?? string.Empty, scalar.Style, scalar.Tag.IsEmpty ? null : scalar.Tag.Value);
                            Remember(scalar.Anchor, value, 1);
                            return value;
                        }

                    case AnchorAlias alias:
                        {
                            Advance();
                            _nodes--;
                            if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                            {
                                throw new YamlJsonException($"The alias *{alias.Value.Value} refers to no anchor defined before it.", position);
                            }

                            _nodes += anchored.Size;
                            _aliasNodes += anchored.Size;
                            if (_nodes > MaxNodes)
                            {
                                throw new YamlJsonException($"The document expands to more than {MaxNodes} nodes (alias expansion?).", position);
                            }

                            if (_aliasNodes > MaxAliasNodes)
                            {
                                throw new YamlJsonException($"The document's aliases copy more than {MaxAliasNodes} nodes (alias bomb?): *{alias.Value.Value} is one of them.", position);
                            }

                            return anchored.Node?.DeepClone();
                        }

                    case SequenceStart sequence:
                        {
                            _open.Push(sequence);
                            Advance();
                            var array = new JsonArray();
                            var index = 0;
                            while (!(_parser.Current is SequenceEnd))
                            {
                                array.Add(Read(JsonPaths.Index(path, index++), depth + 1));
                            }

                            _open.Pop();
                            Advance();
                            Remember(sequence.Anchor, array, _nodes - before);
                            return array;
                        }

                    case MappingStart mapping:
                        {
                            _open.Push(mapping);
                            Advance();
                            var obj = new JsonObject();
                            HashSet<string>? fromMerge = null;
                            while (!(_parser.Current is MappingEnd))
                            {
                                if (!(_parser.Current is Scalar keyEvent))
                                {
                                    var at = _parser.Current!.Start;
                                    throw new YamlJsonException("Only scalar mapping keys are supported.", new SourcePosition((int)at.Line, (int)at.Column));
                                }

                                var keyPosition = new SourcePosition((int)keyEvent.Start.Line, (int)keyEvent.Start.Column);
                                var key = keyEvent.Value ?? string.Empty;
                                Advance();
                                if (key == "<<" && keyEvent.Style == ScalarStyle.Plain)
                                {
                                    // YAML merge key: copy the merged mappings' entries that are not already set.
                                    var merged = Read(path + ".<<", depth + 1);
                                    foreach (var source in merged is JsonArray list ? list.OfType<JsonObject>() : merged is JsonObject single ? new[] { single } : Enumerable.Empty<JsonObject>())
                                    {
                                        foreach (var pair in source.ToList())
                                        {
                                            if (!obj.ContainsKey(pair.Key))
                                            {
                                                obj[pair.Key] = pair.Value?.DeepClone();
                                                (fromMerge ??= new HashSet<string>(StringComparer.Ordinal)).Add(pair.Key);
                                            }
                                        }
                                    }

                                    continue;
                                }

                                if (obj.ContainsKey(key))
                                {
                                    if (fromMerge == null || !fromMerge.Remove(key))
                                    {
                                        throw new YamlJsonException($"Duplicate key '{key}'.", keyPosition);
                                    }

                                    obj.Remove(key);
                                }

                                var childPath = JsonPaths.Property(path, key);
                                _positions[childPath] = keyPosition;
                                obj[key] = Read(childPath, depth + 1);
                            }

                            _open.Pop();
                            Advance();
                            Remember(mapping.Anchor, obj, _nodes - before);
                            return obj;
                        }

                    default:
                        throw new YamlJsonException($"Unexpected YAML event {current.GetType().Name}.", position);
                }
            }

            /// <summary>The error for a parser that failed without a position: where reading stopped, and the flow collection left open.</summary>
            public YamlJsonException Stopped(Exception cause)
            {
                var at = new SourcePosition((int)Math.Max(1, _readUpTo.Line), (int)Math.Max(1, _readUpTo.Column));
                var open = _open.Count > 0 ? _open.Peek() : null;
                var flow = open switch
                {
                    SequenceStart sequence when sequence.Style == SequenceStyle.Flow => ("sequence", '[', ']'),
                    MappingStart mapping when mapping.Style == MappingStyle.Flow => ("mapping", '{', '}'),
                    _ => default((string Kind, char Opens, char Closes)?),
                };
                var message = flow is { } f
                    ? $"The flow {f.Kind} opened with '{f.Opens}' at line {open!.Start.Line}, column {open.Start.Column} is not closed: after line {at.Line}, column {at.Column} the parser expected ',' or '{f.Closes}'."
                    : $"The YAML cannot be read after line {at.Line}, column {at.Column}: the parser expected a value, a key or the end of the document there.";
                return new YamlJsonException(message, at, cause);
            }

            private void Advance()
            {
                if (_parser.Current != null)
                {
                    _readUpTo = _parser.Current.End;
                }

                _parser.MoveNext();
            }

            private void Remember(AnchorName anchor, JsonNode? node, int size)
            {
                if (!anchor.IsEmpty)
                {
                    _anchors[anchor.Value] = (node, Math.Max(1, size));
                }
            }
        }

        public static JsonNode? Convert(YamlNode node) => new State(new Dictionary<string, SourcePosition>()).Convert(node, JsonPaths.Root, 0);

        private static string Clean(YamlException e)
        {
            var message = e.InnerException != null && !string.IsNullOrEmpty(e.InnerException.Message) ? e.InnerException.Message : e.Message;
            // YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 3) - (Line...): "; the position is reported separately.
            var marker = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith("(Line:", StringComparison.Ordinal) && marker > 0)
            {
                message = message.Substring(marker + 3);
            }

            return message;
        }

        private sealed class State
        {
            private readonly Dictionary<string, SourcePosition> _positions;
            private int _nodes;

            public State(Dictionary<string, SourcePosition> positions) => _positions = positions;

            public JsonNode? Convert(YamlNode node, string path, int depth)
            {
                if (depth > MaxDepth)
                {
                    throw new YamlJsonException($"The document nests deeper than {MaxDepth} levels.", Position(node));
                }

                if (++_nodes > MaxNodes)
                {
                    throw new YamlJsonException($"The document expands to more than {MaxNodes} nodes (alias expansion?).", Position(node));
                }

                if (!_positions.ContainsKey(path))
                {
                    _positions[path] = Position(node);
                }

                switch (node)
                {
                    case YamlMappingNode mapping:
                        var obj = new JsonObject();
                        foreach (var pair in mapping.Children)
                        {
                            if (!(pair.Key is YamlScalarNode keyNode))
                            {
                                throw new YamlJsonException("Only scalar mapping keys are supported.", Position(pair.Key));
                            }

                            var key = keyNode.Value ?? string.Empty;
                            if (key == "<<" && keyNode.Style == ScalarStyle.Plain && pair.Value is YamlMappingNode merged)
                            {
                                // YAML merge key: copy the merged mapping's entries that are not already set.
                                foreach (var inner in merged.Children)
                                {
                                    var innerKey = (inner.Key as YamlScalarNode)?.Value ?? string.Empty;
                                    if (!obj.ContainsKey(innerKey))
                                    {
                                        obj[innerKey] = Convert(inner.Value, JsonPaths.Property(path, innerKey), depth + 1);
                                    }
                                }

                                continue;
                            }

                            var childPath = JsonPaths.Property(path, key);
                            if (obj.ContainsKey(key))
                            {
                                throw new YamlJsonException($"Duplicate key '{key}'.", Position(keyNode));
                            }

                            _positions[childPath] = Position(keyNode);
                            obj[key] = Convert(pair.Value, childPath, depth + 1);
                        }

                        return obj;
                    case YamlSequenceNode sequence:
                        var array = new JsonArray();
                        var index = 0;
                        foreach (var item in sequence.Children)
                        {
                            array.Add(Convert(item, JsonPaths.Index(path, index++), depth + 1));
                        }

                        return array;
                    case YamlScalarNode scalar:
                        return ConvertScalar(scalar.Value ?? string.Empty, scalar.Style, scalar.Tag.IsEmpty ? null : scalar.Tag.Value);
                    default:
                        throw new YamlJsonException("Unsupported YAML node.", Position(node));
                }
            }

            private static SourcePosition Position(YamlNode node) => new SourcePosition((int)node.Start.Line, (int)node.Start.Column);
        }

        private static JsonNode? ConvertScalar(string value, ScalarStyle style, string? tag)
        {
            if (style != ScalarStyle.Plain)
            {
                return JsonValue.Create(value);
            }

            if (tag == "tag:yaml.org,2002:str" || tag == "!!str")
            {
                return JsonValue.Create(value);
            }

            switch (value)
            {
                case "":
                case "~":
                case "null":
                case "Null":
                case "NULL":
                    return null;
                case "true":
                case "True":
                case "TRUE":
                    return JsonValue.Create(true);
                case "false":
                case "False":
                case "FALSE":
                    return JsonValue.Create(false);
            }

            if (LooksNumeric(value))
            {
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return JsonValue.Create(integer);
                }

                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && !double.IsInfinity(real) && !double.IsNaN(real))
                {
                    return JsonValue.Create(real);
                }
            }

            return JsonValue.Create(value);
        }

        private static bool LooksNumeric(string value)
        {
            // YAML 1.2 core schema numbers: [-+]?(digits)(.digits)?([eE][-+]?digits)?, no leading/trailing spaces.
            var i = 0;
            if (i < value.Length && (value[i] == '-' || value[i] == '+'))
            {
                i++;
            }

            var digits = 0;
            while (i < value.Length && char.IsDigit(value[i]))
            {
                i++;
                digits++;
            }

            if (i < value.Length && value[i] == '.')
            {
                i++;
                while (i < value.Length && char.IsDigit(value[i]))
                {
                    i++;
                    digits++;
                }
            }

            if (digits == 0)
            {
                return false;
            }

            if (i < value.Length && (value[i] == 'e' || value[i] == 'E'))
            {
                i++;
                if (i < value.Length && (value[i] == '-' || value[i] == '+'))
                {
                    i++;
                }

                var exp = 0;
                while (i < value.Length && char.IsDigit(value[i]))
                {
                    i++;
                    exp++;
                }

                if (exp == 0)
                {
                    return false;
                }
            }

            return i == value.Length;
        }
    }
}
