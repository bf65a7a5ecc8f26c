using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace Daytona.Snapshots.AzureDevOps
{
    /// <summary>
    /// Whether an error a cmdlet writes will reach the user, worked out as PowerShell will treat it: the preference in
    /// force for the command (its -ErrorAction or -WarningAction, else the preference variable of its scope), a
    /// redirection of the stream on the command or around it, and a try/catch around it in any frame of the call stack
    /// (read from the scripts' syntax trees: PowerShell's try/catch is lexical within each frame). Traps are not read:
    /// an error a trap handles still counts as reaching the user.
    /// </summary>
    internal static class ErrorReach
    {
        private static readonly ConcurrentDictionary<string, (DateTime Written, Ast Ast)> s_files = new ConcurrentDictionary<string, (DateTime, Ast)>(StringComparer.Ordinal);

        /// <summary>The preference in force for the command: its common parameter, else the variable in its scope.</summary>
        public static ActionPreference Preference(PSCmdlet cmdlet, string parameter, string variable)
        {
            if (cmdlet.MyInvocation.BoundParameters.TryGetValue(parameter, out var bound) && TryPreference(bound, out var fromParameter))
            {
                return fromParameter;
            }

            return TryPreference(cmdlet.GetVariableValue(variable), out var fromVariable) ? fromVariable : ActionPreference.Continue;
        }

        /// <summary>True when the stream (2 errors, 3 warnings) of the command, or of an expression around it, is redirected.</summary>
        public static bool StreamRedirected(PSCmdlet cmdlet, int stream)
        {
            try
            {
                var command = CommandAst(cmdlet);
                for (Ast? node = command; node != null; node = node.Parent)
                {
                    if (node is CommandBaseAst withRedirections && withRedirections.Redirections.Any(r => Covers(r, stream)))
                    {
                        return true;
                    }
                }

                return false;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is PSInvalidOperationException)
            {
                return false;
            }
        }

        /// <summary>True when a try/catch that catches <paramref name="exception"/> encloses the command in some frame.</summary>
        public static bool Caught(PSCmdlet cmdlet, Exception? exception)
        {
            try
            {
                foreach (var frame in CallStack())
                {
                    var position = frame.Position;
                    var ast = position == null ? null : ScriptAst(position.File, frame);
                    if (ast == null)
                    {
                        continue;
                    }

                    var catching = ast.FindAll(a => a is TryStatementAst t
                        && t.Body.Extent.StartOffset <= position!.StartOffset && position.EndOffset <= t.Body.Extent.EndOffset
                        && t.CatchClauses.Any(c => Catches(c, exception)), searchNestedScriptBlocks: true);
                    if (catching.Any())
                    {
                        return true;
                    }
                }

                return false;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is PSInvalidOperationException)
            {
                return false;
            }
        }

        private static bool Catches(CatchClauseAst clause, Exception? exception)
        {
            if (clause.IsCatchAll)
            {
                return true;
            }

            // Type names are compared, not resolved: the module's types live in its own load context, where a
            // script's type literal may not resolve. -ErrorAction Stop wraps the error in ActionPreferenceStopException.
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var type in new[] { exception?.GetType(), typeof(ActionPreferenceStopException) })
            {
                for (var t = type; t != null; t = t.BaseType)
                {
                    names.Add(t.FullName ?? t.Name);
                    names.Add(t.Name);
                }
            }

            return clause.CatchTypes.Any(c => names.Contains(c.TypeName.FullName) || names.Contains("System." + c.TypeName.FullName));
        }

        private static bool Covers(RedirectionAst redirection, int stream) =>
            (int)redirection.FromStream == stream || redirection.FromStream == RedirectionStream.All;

        /// <summary>The command's own node in the syntax tree of the script that runs it.</summary>
        private static CommandAst? CommandAst(PSCmdlet cmdlet)
        {
            var invocation = cmdlet.MyInvocation;
            var line = invocation.ScriptLineNumber;
            var column = invocation.OffsetInLine;
            if (line <= 0 || column <= 0)
            {
                return null;
            }

            var ast = ScriptAst(invocation.ScriptName, CallStack().FirstOrDefault());
            return ast?.Find(a => a is CommandAst c && c.Extent.StartLineNumber == line && c.Extent.StartColumnNumber == column, searchNestedScriptBlocks: true) as CommandAst;
        }

        /// <summary>The syntax tree of a script file (parsed once while it is unchanged), else of the frame's script block.</summary>
        private static Ast? ScriptAst(string? file, CallStackFrame? frame)
        {
            if (!string.IsNullOrEmpty(file) && File.Exists(file))
            {
                var written = File.GetLastWriteTimeUtc(file);
                if (s_files.TryGetValue(file!, out var cached) && cached.Written == written)
                {
                    return cached.Ast;
                }

                var parsed = Parser.ParseFile(file, out _, out _);
                s_files[file!] = (written, parsed);
                return parsed;
            }

            switch (frame?.InvocationInfo?.MyCommand)
            {
                case ExternalScriptInfo script:
                    return script.ScriptBlock.Ast;
                case FunctionInfo function:
                    return function.ScriptBlock.Ast;
                case ScriptInfo script:
                    return script.ScriptBlock.Ast;
                default:
                    return null;
            }
        }

        private static IEnumerable<CallStackFrame> CallStack() =>
            Runspace.DefaultRunspace?.Debugger?.GetCallStack() ?? Enumerable.Empty<CallStackFrame>();

        private static bool TryPreference(object? value, out ActionPreference preference)
        {
            value = value is PSObject wrapped ? wrapped.BaseObject : value;
            switch (value)
            {
                case ActionPreference known:
                    preference = known;
                    return true;
                case string text when Enum.TryParse(text, true, out ActionPreference parsed):
                    preference = parsed;
                    return true;
                default:
                    preference = ActionPreference.Continue;
                    return false;
            }
        }
    }
}
