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

        // Counters newer runtimes have (none on .NET Framework): bound by name, absent where missing.
        private static readonly Func<bool, TimeSpan>? s_jitTime = Bind<Func<bool, TimeSpan>>(Type.GetType("System.Runtime.JitInfo"), "GetCompilationTime", typeof(bool));
        private static readonly Func<bool, long>? s_jitMethods = Bind<Func<bool, long>>(Type.GetType("System.Runtime.JitInfo"), "GetCompiledMethodCount", typeof(bool));
        private static readonly Func<TimeSpan>? s_gcPause = Bind<Func<TimeSpan>>(typeof(GC), "GetTotalPauseDuration");
        private static readonly Func<bool, long>? s_allocated = Bind<Func<bool, long>>(typeof(GC), "GetTotalAllocatedBytes", typeof(bool));

        public static bool On => s_on;

        private static TDelegate? Bind<TDelegate>(Type? type, string name, params Type[] parameters)
            where TDelegate : Delegate
        {
            var method = type?.GetMethod(name, parameters);
            return method == null ? null : (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), method);
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
            var gcPause = s_gcPause?.Invoke().TotalMilliseconds ?? 0;
            var gcs = $"{GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}";
            var allocated = (s_allocated?.Invoke(false) ?? 0) / 1048576.0;
            Console.Error.WriteLine($"timing {sinceStart,8:0.0} ms  +{s_watch.Elapsed.TotalMilliseconds,8:0.0} ms  cpu {cpu,7:0} ms  jit {jit,6:0} ms {methods,6} methods  gc {gcs,-9} {gcPause,6:0.0} ms  alloc {allocated,8:0.0} MB  t{Thread.CurrentThread.ManagedThreadId,-3} {what}");
        }
    }
}
