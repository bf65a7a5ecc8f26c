using System;
using System.Diagnostics;
using System.Threading;

namespace Daytona.Common.Diagnostics
{
    /// <summary>
    /// Where a command spends its time, for whoever tunes it: with <c>DAYTONA_TIMINGS=1</c> each mark is written to
    /// standard error as the milliseconds since the process started (and since the first mark); otherwise a mark costs a
    /// field read.
    /// </summary>
    public static class Timings
    {
        private static readonly bool s_on = Environment.GetEnvironmentVariable("DAYTONA_TIMINGS") == "1";
        private static readonly Stopwatch s_watch = Stopwatch.StartNew();
        private static readonly DateTime s_processStart = s_on ? Process.GetCurrentProcess().StartTime.ToUniversalTime() : default;

        private static readonly Func<bool, TimeSpan>? s_jitTime = JitInfo<TimeSpan>("GetCompilationTime");
        private static readonly Func<bool, long>? s_jitMethods = JitInfo<long>("GetCompiledMethodCount");

        public static bool On => s_on;

        private static Func<bool, T>? JitInfo<T>(string name)
        {
            var method = Type.GetType("System.Runtime.JitInfo")?.GetMethod(name, new[] { typeof(bool) });
            return method == null ? null : (Func<bool, T>)Delegate.CreateDelegate(typeof(Func<bool, T>), method);
        }

        public static void Mark(string what)
        {
            if (!s_on)
            {
                return;
            }

            var sinceStart = (DateTime.UtcNow - s_processStart).TotalMilliseconds;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
            var jit = s_jitTime?.Invoke(false).TotalMilliseconds ?? 0;
            var methods = s_jitMethods?.Invoke(false) ?? 0;
            Console.Error.WriteLine($"timing {sinceStart,8:0.0} ms  +{s_watch.Elapsed.TotalMilliseconds,8:0.0} ms  cpu {cpu,7:0} ms  jit {jit,6:0} ms {methods,6} methods  t{Thread.CurrentThread.ManagedThreadId,-3} {what}");
        }
    }
}
