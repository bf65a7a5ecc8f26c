using System.Runtime.CompilerServices;

namespace Daytona.Checkpoints
{
    /// <summary>
    /// MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name. A capture or restore runs each of
    /// its loops (over every byte, every file, every manifest entry) once per command, usually in a session that has
    /// not run them before: tiered compilation would run them unoptimized first. Marked methods are compiled fully
    /// optimized at their first call instead.
    /// </summary>
    internal static class Jit
    {
        public const MethodImplOptions OptimizeAtFirstCall = (MethodImplOptions)512;
    }
}
