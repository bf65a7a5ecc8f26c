using System;
using System.Threading;

namespace Daytona.Common.Http
{
    /// <summary>
    /// Where the pipeline's lines go, for the current async flow: one line per request (method, path, status, time;
    /// never a header, never a query string) and one per retry (why, how long it waits, which retry of how many).
    /// A cmdlet routes them to its streams for the duration of its work (requests to -Debug, retries to -Verbose);
    /// engines and tests may route them anywhere. Nothing is written when no sink is set.
    /// </summary>
    public static class HttpLog
    {
        private static readonly AsyncLocal<Sinks?> s_sinks = new AsyncLocal<Sinks?>();

        /// <summary>Routes this async flow's request lines and retry lines; dispose to restore the previous routing.</summary>
        public static IDisposable To(Action<string>? requests, Action<string>? retries)
        {
            var previous = s_sinks.Value;
            s_sinks.Value = new Sinks(requests, retries);
            return new Scope(() => s_sinks.Value = previous);
        }

        /// <summary>A line about one request (goes where request lines go: -Debug in a cmdlet).</summary>
        public static void Request(string line) => s_sinks.Value?.Requests?.Invoke(line);

        /// <summary>A line about a retry or a recovery decision (goes where retry lines go: -Verbose in a cmdlet).</summary>
        public static void Retry(string line) => s_sinks.Value?.Retries?.Invoke(line);

        private sealed class Sinks
        {
            public Sinks(Action<string>? requests, Action<string>? retries)
            {
                Requests = requests;
                Retries = retries;
            }

            public Action<string>? Requests { get; }

            public Action<string>? Retries { get; }
        }

        private sealed class Scope : IDisposable
        {
            private Action? _undo;

            public Scope(Action undo) => _undo = undo;

            public void Dispose()
            {
                _undo?.Invoke();
                _undo = null;
            }
        }
    }
}
