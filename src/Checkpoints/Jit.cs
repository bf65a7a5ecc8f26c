using System.Runtime.CompilerServices;

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
    }
}
