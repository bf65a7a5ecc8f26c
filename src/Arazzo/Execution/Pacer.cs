using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Daytona.Arazzo.Execution
{
    /// <summary>
    /// Paces the steps of one workflow run: a step that runs again waits at least <see cref="RunOptions.PollInterval"/>
    /// after its previous start (growing by a fifth per repeat up to <see cref="RunOptions.MaxPollInterval"/> when
    /// that is set), and never before a time a retry action or the server's Retry-After asked for. A polling loop
    /// written as <c>goto</c> onto itself with no delay (the seed's shape) so cannot hammer the API.
    /// </summary>
    internal sealed class Pacer
    {
        /// <summary>The longest single timer the runtime accepts is about 24.8 days; longer waits are taken in pieces.</summary>
        private static readonly TimeSpan s_longestDelay = TimeSpan.FromDays(1);

        private readonly RunOptions _options;
        private readonly Dictionary<string, int> _attempts = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTime> _lastStart = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTime> _notBefore = new Dictionary<string, DateTime>(StringComparer.Ordinal);

        public Pacer(RunOptions options) => _options = options;

        /// <summary>Waits until the step may run again (no wait for its first execution).</summary>
        public async Task WaitAsync(string stepId, CancellationToken cancellationToken)
        {
            var due = DateTime.MinValue;
            if (_lastStart.TryGetValue(stepId, out var last))
            {
                var interval = _options.PollInterval;
                if (_options.MaxPollInterval is TimeSpan ceiling && ceiling > interval && _attempts.TryGetValue(stepId, out var runs) && runs > 1)
                {
                    var grown = interval.TotalMilliseconds * Math.Pow(1.2, Math.Min(runs - 1, 60));
                    interval = TimeSpan.FromMilliseconds(Math.Min(grown, ceiling.TotalMilliseconds));
                }

                due = Add(last, interval);
            }

            if (_notBefore.TryGetValue(stepId, out var notBefore) && notBefore > due)
            {
                due = notBefore;
            }

            for (var wait = due - DateTime.UtcNow; wait > TimeSpan.Zero; wait = due - DateTime.UtcNow)
            {
                await Task.Delay(wait < s_longestDelay ? wait : s_longestDelay, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Records that the step starts now; returns which execution of the step this is (1 for the first).</summary>
        public int Start(string stepId)
        {
            _attempts.TryGetValue(stepId, out var attempt);
            _attempts[stepId] = ++attempt;
            _lastStart[stepId] = DateTime.UtcNow;
            return attempt;
        }

        /// <summary>The step does not run again before <paramref name="delay"/> from now (the later of two such times holds).</summary>
        public void NotBefore(string stepId, TimeSpan delay)
        {
            var at = Add(DateTime.UtcNow, delay);
            if (!_notBefore.TryGetValue(stepId, out var existing) || existing < at)
            {
                _notBefore[stepId] = at;
            }
        }

        /// <summary>The delay a retry action asks for, in seconds, as a time span no longer than the runtime can represent.</summary>
        public static TimeSpan Seconds(double seconds) =>
            double.IsNaN(seconds) || seconds <= 0 ? TimeSpan.Zero
            : seconds >= TimeSpan.MaxValue.TotalSeconds ? TimeSpan.MaxValue
            : TimeSpan.FromTicks((long)Math.Min(seconds * TimeSpan.TicksPerSecond, long.MaxValue));

        private static DateTime Add(DateTime at, TimeSpan delay) => delay >= DateTime.MaxValue - at ? DateTime.MaxValue : at + delay;
    }

    /// <summary>How many times each retry action of each step has run in one workflow run.</summary>
    internal sealed class RetryCounts
    {
        private readonly Dictionary<(string Step, string Action), int> _used = new Dictionary<(string, string), int>();

        /// <summary>Counts one more retry through the action; false when its limit is already used up.</summary>
        public bool TryUse(string stepId, string action, int limit)
        {
            _used.TryGetValue((stepId, action), out var used);
            if (used >= limit)
            {
                return false;
            }

            _used[(stepId, action)] = used + 1;
            return true;
        }

        /// <summary>A step that succeeded starts its retry budgets afresh.</summary>
        public void Reset(string stepId)
        {
            if (_used.Count == 0)
            {
                return;
            }

            var done = new List<(string, string)>();
            foreach (var key in _used.Keys)
            {
                if (key.Step == stepId)
                {
                    done.Add(key);
                }
            }

            foreach (var key in done)
            {
                _used.Remove(key);
            }
        }
    }
}
