using System;
using System.Diagnostics;
using System.Threading;

namespace Daytona.Common.Hosting
{
    /// <summary>
    /// A bundled app running as a child process, started by <see cref="ChildAppLauncher"/>. It ends by itself when its
    /// parent process dies or its standard input closes; <see cref="Stop"/> closes that input and kills it after a grace.
    /// </summary>
    public sealed class ChildApp : IDisposable
    {
        private readonly Process _process;
        private readonly Func<string> _errorOutput;
        private readonly System.Threading.Tasks.Task _outputRead;
        private int _stopped;

        internal ChildApp(Process process, string readyLine, string appPath, Func<string> errorOutput, System.Threading.Tasks.Task outputRead)
        {
            _process = process;
            _outputRead = outputRead;
            _errorOutput = errorOutput;
            ReadyLine = readyLine;
            AppPath = appPath;
            ProcessId = process.Id;
        }

        /// <summary>The one line the app printed when it listened (JSON by convention; it may hold a secret: never echo it).</summary>
        public string ReadyLine { get; }

        public string AppPath { get; }

        public int ProcessId { get; }

        /// <summary>Raised once, the first time <see cref="Stop"/> is called.</summary>
        public event EventHandler? Stopping;

        public bool HasExited
        {
            get
            {
                try
                {
                    return _process.HasExited;
                }
                catch (InvalidOperationException)
                {
                    return true;
                }
            }
        }

        /// <summary>What the app wrote on its error stream (the last 16,000 characters at most).</summary>
        public string ErrorOutput => _errorOutput();

        /// <summary>
        /// Stops the app: closes its standard input (it exits by itself), then kills it if it still runs after
        /// <paramref name="grace"/>. Returns true when the process has ended.
        /// </summary>
        public bool Stop(TimeSpan? grace = null)
        {
            var wait = (int)(grace ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
            if (Interlocked.Exchange(ref _stopped, 1) == 0)
            {
                Stopping?.Invoke(this, EventArgs.Empty);
                try
                {
                    _process.StandardInput.Close();
                }
                catch (Exception e) when (e is InvalidOperationException || e is System.IO.IOException || e is ObjectDisposedException)
                {
                }
            }

            try
            {
                if (!_process.HasExited && !_process.WaitForExit(wait))
                {
                    _process.Kill();
                    _process.WaitForExit(wait);
                }

                if (_process.HasExited)
                {
                    // What the app wrote last (a request log line) is read once its output ends: wait for that,
                    // bounded in case a stray process still holds the pipe.
                    _outputRead.Wait(TimeSpan.FromSeconds(2));
                }

                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return HasExited;
            }
        }

        public void Dispose()
        {
            Stop(TimeSpan.FromSeconds(2));
            _process.Dispose();
        }
    }
}
