using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Daytona.Arazzo.Expressions
{
    public enum ExpressionSource
    {
        Url,
        Method,
        StatusCode,
        Request,
        Response,
        Message,
        Inputs,
        Outputs,
        Steps,
        Workflows,
        SourceDescriptions,
        Components,
        Self,
    }

    /// <summary>
    /// A parsed runtime expression (Arazzo 1.0.1 "Runtime Expressions" ABNF, with the stricter identifier rules of
    /// the 1.1 grammar): <c>$url</c>, <c>$statusCode</c>, <c>$response.body#/id</c>, <c>$steps.a.outputs.b</c>…
    /// Written here because no .NET library implements this grammar.
    /// </summary>
    public sealed class RuntimeExpression
    {
        private RuntimeExpression(string text, ExpressionSource source)
        {
            Text = text;
            Source = source;
        }

        public string Text { get; }

        public ExpressionSource Source { get; }

        /// <summary>For $request/$response/$message: <c>header</c>, <c>query</c>, <c>path</c>, <c>body</c> or <c>payload</c>.</summary>
        public string? Part { get; private set; }

        /// <summary>The header/query/path name, input or output name, component name, or source reference id.</summary>
        public string? Name { get; private set; }

        /// <summary>The step id ($steps), workflow id ($workflows), source name ($sourceDescriptions) or component type ($components).</summary>
        public string? Owner { get; private set; }

        /// <summary>For $workflows: <c>inputs</c> or <c>outputs</c>.</summary>
        public string? Field { get; private set; }

        /// <summary>The JSON Pointer after <c>#</c>, or null when there is none (an empty pointer is the whole value).</summary>
        public string? Pointer { get; private set; }

        /// <summary>
        /// For $inputs, $outputs, $steps and $workflows: the name as a path of segments (<c>a.b</c> is two names;
        /// leniently also <c>[0]</c>, <c>[*]</c>, <c>[]</c> and <c>[key]</c>). Consecutive names may also be one key with dots.
        /// </summary>
        public IReadOnlyList<NameSegment> Segments { get; private set; } = Array.Empty<NameSegment>();

        /// <summary>Set when the expression was read from a form the spec does not define: what it is read as and how to write it.</summary>
        public string? Advice { get; private set; }

        /// <summary>True when the expression uses a form the spec does not define (see <see cref="Advice"/>).</summary>
        public bool IsLenient => Advice != null;

        public override string ToString() => Text;

        public static RuntimeExpression Parse(string text)
        {
            if (!TryParse(text, out var expression, out var error))
            {
                throw new FormatException(error);
            }

            return expression!;
        }

        /// <summary>
        /// Parses an expression, also accepting two forms real documents write: a dotted path into a body
        /// (<c>$response.body.user.id</c>, read as <c>$response.body#/user/id</c>) and a step output without
        /// <c>.outputs</c> (<c>$steps.login.token</c>, read as <c>$steps.login.outputs.token</c>), and
        /// <c>headers</c> for <c>header</c> (<c>$response.headers.Location</c>).
        /// <paramref name="rewritten"/> is the spec form when a lenient form was used.
        /// </summary>
        public static bool TryParseLenient(string text, out RuntimeExpression? expression, out string? rewritten)
        {
            if (text == null)
            {
                expression = null;
                rewritten = null;
                return false;
            }

            if (s_lenientCache.TryGetValue(text, out var cached))
            {
                expression = cached.Expression;
                rewritten = cached.Rewritten;
                return expression != null;
            }

            var ok = TryParseLenientCore(text, out expression, out rewritten);
            if (text.Length < 4096 && s_lenientCache.Count < 50_000)
            {
                s_lenientCache[text] = (expression, rewritten);
            }

            return ok;
        }

        private static bool TryParseLenientCore(string text, out RuntimeExpression? expression, out string? rewritten)
        {
            rewritten = null;
            if (TryParse(text, out expression, out _))
            {
                return true;
            }

            foreach (var plural in new[] { "$response.headers.", "$request.headers." })
            {
                if (text.StartsWith(plural, StringComparison.Ordinal))
                {
                    var candidate = plural.Replace("headers.", "header.") + text.Substring(plural.Length);
                    if (TryParse(candidate, out expression, out _))
                    {
                        rewritten = candidate;
                        return true;
                    }
                }
            }

            foreach (var head in new[] { "$response.body.", "$request.body." })
            {
                if (text.StartsWith(head, StringComparison.Ordinal) && text.Length > head.Length)
                {
                    var path = text.Substring(head.Length);
                    var pointer = "/" + string.Join("/", path.Replace("]", string.Empty).Split('.', '[').Where(t => t.Length > 0).Select(t => t.Replace("~", "~0").Replace("/", "~1")));
                    var candidate = head.Substring(0, head.Length - 1) + "#" + pointer;
                    if (TryParse(candidate, out expression, out _))
                    {
                        rewritten = candidate;
                        return true;
                    }
                }
            }

            // "$response.body#id": a JSON Pointer without its leading '/'.
            var hash = text.IndexOf('#');
            if (hash > 0 && hash + 1 < text.Length && text[hash + 1] != '/')
            {
                var candidate = text.Substring(0, hash + 1) + "/" + text.Substring(hash + 1);
                if (TryParse(candidate, out expression, out _))
                {
                    rewritten = candidate;
                    return true;
                }
            }

            if (TryParseNamePath(text, out expression, out rewritten))
            {
                return true;
            }

            if (text.StartsWith("$steps.", StringComparison.Ordinal) && text.IndexOf(".outputs.", StringComparison.Ordinal) < 0)
            {
                var rest = text.Substring("$steps.".Length);
                var dot = rest.IndexOf('.');
                if (dot > 0)
                {
                    var candidate = "$steps." + rest.Substring(0, dot) + ".outputs." + rest.Substring(dot + 1);
                    if (TryParse(candidate, out expression, out _))
                    {
                        rewritten = candidate;
                        return true;
                    }
                }
            }

            expression = null;
            return false;
        }

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (RuntimeExpression? Expression, string? Rewritten)> s_lenientCache =
            new System.Collections.Concurrent.ConcurrentDictionary<string, (RuntimeExpression?, string?)>(StringComparer.Ordinal);

        /// <summary>
        /// Reads names the spec's identifier rules do not allow, as real documents write them: bracket indexes, keys
        /// and wildcards (<c>$steps.s.outputs.items[0].id</c>, <c>$inputs.page[size]</c>, <c>…list[*].id</c>,
        /// <c>…list[].id</c>) and names that start with <c>$</c> (<c>$inputs.$expand</c>).
        /// </summary>
        private static bool TryParseNamePath(string text, out RuntimeExpression? expression, out string? rewritten)
        {
            expression = null;
            rewritten = null;
            string prefix;
            string rest;
            ExpressionSource source;
            string? owner = null;
            string? field = null;
            if (text.StartsWith("$inputs.", StringComparison.Ordinal) || text.StartsWith("$outputs.", StringComparison.Ordinal))
            {
                source = text[1] == 'i' ? ExpressionSource.Inputs : ExpressionSource.Outputs;
                prefix = text.Substring(0, text.IndexOf('.') + 1);
                rest = text.Substring(prefix.Length);
            }
            else if (text.StartsWith("$steps.", StringComparison.Ordinal))
            {
                var marker = text.IndexOf(".outputs.", StringComparison.Ordinal);
                if (marker <= "$steps".Length || !IsIdentifier(text.Substring(7, marker - 7), strict: true))
                {
                    return false;
                }

                source = ExpressionSource.Steps;
                owner = text.Substring(7, marker - 7);
                field = "outputs";
                prefix = text.Substring(0, marker + ".outputs.".Length);
                rest = text.Substring(prefix.Length);
            }
            else if (text.StartsWith("$workflows.", StringComparison.Ordinal))
            {
                var second = text.IndexOf('.', 11);
                if (second < 0 || !IsIdentifier(text.Substring(11, second - 11), strict: true))
                {
                    return false;
                }

                field = text.Substring(second + 1).StartsWith("inputs.", StringComparison.Ordinal) ? "inputs"
                    : text.Substring(second + 1).StartsWith("outputs.", StringComparison.Ordinal) ? "outputs" : null;
                if (field == null)
                {
                    return false;
                }

                source = ExpressionSource.Workflows;
                owner = text.Substring(11, second - 11);
                prefix = text.Substring(0, second + 1 + field.Length + 1);
                rest = text.Substring(prefix.Length);
            }
            else
            {
                return false;
            }

            string? pointer = null;
            var hash = rest.IndexOf('#');
            if (hash >= 0)
            {
                pointer = rest.Substring(hash + 1);
                rest = rest.Substring(0, hash);
                if (!IsPointer(pointer))
                {
                    return false;
                }
            }

            if (!NameSegment.TryParsePath(rest, out var segments) || segments.Count == 0)
            {
                return false;
            }

            var head = segments[0].Kind == NameSegmentKind.Name ? segments[0].Text! : null;
            var bracket = rest.IndexOf('[');
            var name = (bracket < 0 ? rest : rest.Substring(0, bracket)).TrimEnd('.');
            if (head == null || name.Length == 0)
            {
                return false;
            }

            string advice;
            if (head.StartsWith("$", StringComparison.Ordinal))
            {
                advice = $"'{text}' names {(source == ExpressionSource.Inputs ? "an input" : "an output")} that starts with '$', which runtime expression names do not allow; it is read as the value named '{name}'. Name it without '$' (e.g. '{head.TrimStart('$').TrimStart('.')}') and use that name.";
            }
            else if (segments.Any(x => x.Kind == NameSegmentKind.Wildcard))
            {
                var one = prefix + head + "#/" + string.Join("/", segments.Skip(1).Select(x => x.Kind == NameSegmentKind.Wildcard ? "0" : x.Pointer));
                advice = $"'{text}' uses a wildcard, which runtime expressions do not have; it is read as the list of the values it names in every item. To read one item, write '{one}'.";
            }
            else
            {
                rewritten = prefix + head + "#/" + string.Join("/", segments.Skip(1).Select(x => x.Pointer));
                advice = $"'{text}' indexes with brackets, which runtime expressions do not have; it is read as '{rewritten}'. Write '{rewritten}'.";
            }

            expression = new RuntimeExpression(text, source) { Owner = owner, Field = field, Name = name, Pointer = pointer, Segments = segments, Advice = advice };
            rewritten ??= text;
            return true;
        }

        /// <summary>True when the whole text is one runtime expression.</summary>
        public static bool IsExpression(string? text) => text != null && TryParse(text, out _, out _);

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (RuntimeExpression? Expression, string? Error)> s_cache =
            new System.Collections.Concurrent.ConcurrentDictionary<string, (RuntimeExpression?, string?)>(StringComparer.Ordinal);

        public static bool TryParse(string text, out RuntimeExpression? expression, out string? error)
        {
            // Documents hold a bounded set of expressions, evaluated again at every step: parse each once.
            if (text != null && s_cache.TryGetValue(text, out var cached))
            {
                expression = cached.Expression;
                error = cached.Error;
                return expression != null;
            }

            var ok = TryParseCore(text!, out expression, out error);
            if (text != null && text.Length < 4096 && s_cache.Count < 50_000)
            {
                s_cache[text] = (expression, error);
            }

            return ok;
        }

        private static bool TryParseCore(string text, out RuntimeExpression? expression, out string? error)
        {
            expression = null;
            error = null;
            if (string.IsNullOrEmpty(text) || text[0] != '$')
            {
                error = "A runtime expression starts with '$'.";
                return false;
            }

            switch (text)
            {
                case "$url":
                    expression = new RuntimeExpression(text, ExpressionSource.Url);
                    return true;
                case "$method":
                    expression = new RuntimeExpression(text, ExpressionSource.Method);
                    return true;
                case "$statusCode":
                    expression = new RuntimeExpression(text, ExpressionSource.StatusCode);
                    return true;
                case "$self":
                    expression = new RuntimeExpression(text, ExpressionSource.Self);
                    return true;
            }

            var dot = text.IndexOf('.');
            if (dot < 0)
            {
                error = $"'{text}' is not a runtime expression: expected $url, $method, $statusCode or $<source>.<reference>.";
                return false;
            }

            var head = text.Substring(0, dot);
            var rest = text.Substring(dot + 1);
            switch (head)
            {
                case "$request":
                    return ParseMessage(text, ExpressionSource.Request, rest, payload: false, out expression, out error);
                case "$response":
                    return ParseMessage(text, ExpressionSource.Response, rest, payload: false, out expression, out error);
                case "$message":
                    return ParseMessage(text, ExpressionSource.Message, rest, payload: true, out expression, out error);
                case "$inputs":
                case "$outputs":
                    {
                        if (!SplitPointer(rest, out var name, out var pointer, out error) || !IsIdentifier(name, strict: false))
                        {
                            error ??= $"'{text}': the {head.Substring(1)} name must be letters, digits, '.', '-' or '_'.";
                            return false;
                        }

                        expression = new RuntimeExpression(text, head == "$inputs" ? ExpressionSource.Inputs : ExpressionSource.Outputs) { Name = name, Pointer = pointer, Segments = NameSegment.Dotted(name) };
                        return true;
                    }

                case "$steps":
                    {
                        var marker = rest.IndexOf(".outputs.", StringComparison.Ordinal);
                        if (marker <= 0)
                        {
                            error = $"'{text}': expected $steps.<stepId>.outputs.<name>.";
                            return false;
                        }

                        var stepId = rest.Substring(0, marker);
                        if (!IsIdentifier(stepId, strict: true))
                        {
                            error = $"'{text}': the step id must be letters, digits, '-' or '_'.";
                            return false;
                        }

                        if (!SplitPointer(rest.Substring(marker + ".outputs.".Length), out var name, out var pointer, out error) || !IsIdentifier(name, strict: false))
                        {
                            error ??= $"'{text}': the output name must be letters, digits, '.', '-' or '_'.";
                            return false;
                        }

                        expression = new RuntimeExpression(text, ExpressionSource.Steps) { Owner = stepId, Field = "outputs", Name = name, Pointer = pointer, Segments = NameSegment.Dotted(name) };
                        return true;
                    }

                case "$workflows":
                    {
                        var second = rest.IndexOf('.');
                        if (second <= 0)
                        {
                            error = $"'{text}': expected $workflows.<workflowId>.inputs|outputs.<name>.";
                            return false;
                        }

                        var workflowId = rest.Substring(0, second);
                        var remainder = rest.Substring(second + 1);
                        string field;
                        if (remainder.StartsWith("inputs.", StringComparison.Ordinal))
                        {
                            field = "inputs";
                        }
                        else if (remainder.StartsWith("outputs.", StringComparison.Ordinal))
                        {
                            field = "outputs";
                        }
                        else
                        {
                            error = $"'{text}': expected $workflows.<workflowId>.inputs|outputs.<name>.";
                            return false;
                        }

                        if (!IsIdentifier(workflowId, strict: true))
                        {
                            error = $"'{text}': the workflow id must be letters, digits, '-' or '_'.";
                            return false;
                        }

                        if (!SplitPointer(remainder.Substring(field.Length + 1), out var name, out var pointer, out error) || !IsIdentifier(name, strict: false))
                        {
                            error ??= $"'{text}': the {field} name must be letters, digits, '.', '-' or '_'.";
                            return false;
                        }

                        expression = new RuntimeExpression(text, ExpressionSource.Workflows) { Owner = workflowId, Field = field, Name = name, Pointer = pointer, Segments = NameSegment.Dotted(name) };
                        return true;
                    }

                case "$sourceDescriptions":
                    {
                        var second = rest.IndexOf('.');
                        if (second <= 0 || second == rest.Length - 1)
                        {
                            error = $"'{text}': expected $sourceDescriptions.<name>.<reference>.";
                            return false;
                        }

                        var sourceName = rest.Substring(0, second);
                        var reference = rest.Substring(second + 1);
                        if (!IsIdentifier(sourceName, strict: true) || !IsChars(reference))
                        {
                            error = $"'{text}': the source name must be letters, digits, '-' or '_' and the reference must not contain braces.";
                            return false;
                        }

                        expression = new RuntimeExpression(text, ExpressionSource.SourceDescriptions) { Owner = sourceName, Name = reference };
                        return true;
                    }

                case "$components":
                    {
                        var second = rest.IndexOf('.');
                        if (second <= 0)
                        {
                            error = $"'{text}': expected $components.<type>.<name>.";
                            return false;
                        }

                        var type = rest.Substring(0, second);
                        var name = rest.Substring(second + 1);
                        if (type != "parameters" && type != "successActions" && type != "failureActions" && type != "inputs")
                        {
                            error = $"'{text}': the component type must be parameters, successActions or failureActions.";
                            return false;
                        }

                        if (!IsIdentifier(name, strict: false))
                        {
                            error = $"'{text}': the component name must be letters, digits, '.', '-' or '_'.";
                            return false;
                        }

                        expression = new RuntimeExpression(text, ExpressionSource.Components) { Owner = type, Name = name };
                        return true;
                    }
            }

            error = $"'{head}' is not a runtime expression source; use $url, $method, $statusCode, $request, $response, $inputs, $outputs, $steps, $workflows, $sourceDescriptions or $components.";
            return false;
        }

        private static bool ParseMessage(string text, ExpressionSource source, string rest, bool payload, out RuntimeExpression? expression, out string? error)
        {
            expression = null;
            error = null;
            if (rest.StartsWith("header.", StringComparison.Ordinal))
            {
                var name = rest.Substring("header.".Length);
                if (!IsToken(name))
                {
                    error = $"'{text}': a header name is an RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~).";
                    return false;
                }

                expression = new RuntimeExpression(text, source) { Part = "header", Name = name };
                return true;
            }

            foreach (var part in new[] { "query", "path" })
            {
                if (rest.StartsWith(part + ".", StringComparison.Ordinal))
                {
                    var name = rest.Substring(part.Length + 1);
                    if (!IsChars(name))
                    {
                        error = $"'{text}': a {part} name must not contain '{{' or '}}'.";
                        return false;
                    }

                    expression = new RuntimeExpression(text, source) { Part = part, Name = name };
                    return true;
                }
            }

            foreach (var part in payload ? new[] { "body", "payload" } : new[] { "body" })
            {
                if (rest == part || rest.StartsWith(part + "#", StringComparison.Ordinal))
                {
                    string? pointer = null;
                    if (rest.Length > part.Length)
                    {
                        pointer = rest.Substring(part.Length + 1);
                        if (!IsPointer(pointer))
                        {
                            error = $"'{text}': '{pointer}' is not a JSON Pointer (it starts with '/', escapes '~' as ~0 and '/' as ~1, and has no braces).";
                            return false;
                        }
                    }

                    expression = new RuntimeExpression(text, source) { Part = part, Pointer = pointer };
                    return true;
                }
            }

            error = $"'{text}': expected header.<name>, query.<name>, path.<name> or body[#<json-pointer>].";
            return false;
        }

        private static bool SplitPointer(string text, out string name, out string? pointer, out string? error)
        {
            error = null;
            var hash = text.IndexOf('#');
            if (hash < 0)
            {
                name = text;
                pointer = null;
                return true;
            }

            name = text.Substring(0, hash);
            pointer = text.Substring(hash + 1);
            if (!IsPointer(pointer))
            {
                error = $"'{pointer}' is not a JSON Pointer (it starts with '/', escapes '~' as ~0 and '/' as ~1, and has no braces).";
                return false;
            }

            return true;
        }

        internal static bool IsPointer(string pointer)
        {
            if (pointer.Length == 0)
            {
                return true;
            }

            if (pointer[0] != '/')
            {
                return false;
            }

            for (var i = 0; i < pointer.Length; i++)
            {
                var c = pointer[i];
                if (c == '{' || c == '}')
                {
                    return false;
                }

                if (c == '~' && (i + 1 >= pointer.Length || (pointer[i + 1] != '0' && pointer[i + 1] != '1')))
                {
                    return false;
                }
            }

            return true;
        }

        internal static bool IsIdentifier(string text, bool strict)
        {
            if (text.Length == 0)
            {
                return false;
            }

            foreach (var c in text)
            {
                var ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || (!strict && c == '.');
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsToken(string text)
        {
            if (text.Length == 0)
            {
                return false;
            }

            foreach (var c in text)
            {
                var ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsChars(string text)
        {
            foreach (var c in text)
            {
                if (c == '{' || c == '}' || c < 0x20)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Unescapes the reference tokens of a JSON Pointer.</summary>
        public static IReadOnlyList<string> PointerTokens(string pointer)
        {
            if (pointer.Length == 0)
            {
                return Array.Empty<string>();
            }

            if (s_pointers.TryGetValue(pointer, out var cached))
            {
                return cached;
            }

            var tokens = pointer.Substring(1).Split('/');
            for (var i = 0; i < tokens.Length; i++)
            {
                tokens[i] = tokens[i].Replace("~1", "/").Replace("~0", "~");
            }

            if (pointer.Length < 1024 && s_pointers.Count < 50_000)
            {
                s_pointers[pointer] = tokens;
            }

            return tokens;
        }

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string[]> s_pointers =
            new System.Collections.Concurrent.ConcurrentDictionary<string, string[]>(StringComparer.Ordinal);
    }
}
