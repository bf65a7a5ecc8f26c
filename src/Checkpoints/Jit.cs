using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name: the method is compiled fully optimized
    /// at its first call and never recompiled. Only for the few methods a capture calls for every folder or every entry
    /// (listing and checking folders): those are hot after one capture, and tiered compilation then runs them as
    /// instrumented code (counting every branch, for profile-guided optimization) through much of the next capture in the
    /// same process — measured as the largest single cost of an unchanged re-capture there. Not precompiled (crossgen2
    /// skips such methods): each costs a compilation at its first call in a process, so keep them few and small.
    /// </summary>
    internal static class Jit
    {
        public const MethodImplOptions OptimizeAtFirstCall = (MethodImplOptions)512;

        private static int s_prepared;

        /// <summary>
        /// Compiles, once per process and on the thread pool, the methods of <see cref="OptimizeAtFirstCall"/> that only a
        /// re-capture runs (the checks that a folder and a file are as the last capture found them): called when a capture
        /// ends, so the next one does not wait for their compilation while it lists the folder.
        /// </summary>
        public static void PrepareReCapture()
        {
            if (Interlocked.Exchange(ref s_prepared, 1) == 0)
            {
                ThreadPool.QueueUserWorkItem(_ =>
                {
                    try
                    {
                        CompileReCapture();
                    }
                    catch (Exception)
                    {
                        // Best effort, on the thread pool, where nothing may be thrown: the methods are then compiled at their first call.
                    }
                });
            }
        }

        /// <summary>Compiles the methods <see cref="PrepareReCapture"/> prepares, on this thread.</summary>
        internal static void CompileReCapture()
        {
            FolderLister.PrepareChecks();
            RuntimeHelpers.PrepareMethod(typeof(PreviousCheckpoint.Lookup).GetMethod(nameof(PreviousCheckpoint.Lookup.TryGet))!.MethodHandle);
        }
    }
}
