namespace Daytona.Common.Hosting
{
    /// <summary>The catalog entries a bundled app's start raises (<see cref="ChildAppStartInfo.Errors"/>).</summary>
    public sealed class ChildAppErrors
    {
        public ChildAppErrors(ErrorDefinition notFound, ErrorDefinition startFailed, ErrorDefinition startTimeout, ErrorDefinition runtimeMissing)
        {
            NotFound = notFound;
            StartFailed = startFailed;
            StartTimeout = startTimeout;
            RuntimeMissing = runtimeMissing;
        }

        /// <summary>The emulator's: <c>EmulatorNotFound</c>, <c>EmulatorStartFailed</c>, <c>EmulatorStartTimeout</c>, <c>EmulatorRuntimeMissing</c>.</summary>
        public static ChildAppErrors Emulator { get; } = new ChildAppErrors(ErrorCatalog.EmulatorNotFound, ErrorCatalog.EmulatorStartFailed, ErrorCatalog.EmulatorStartTimeout, ErrorCatalog.EmulatorRuntimeMissing);

        /// <summary>The checkpoint server's: <c>CheckpointServerNotFound</c>, <c>…StartFailed</c>, <c>…StartTimeout</c>, <c>…RuntimeMissing</c>.</summary>
        public static ChildAppErrors CheckpointServer { get; } = new ChildAppErrors(ErrorCatalog.CheckpointServerNotFound, ErrorCatalog.CheckpointServerStartFailed, ErrorCatalog.CheckpointServerStartTimeout, ErrorCatalog.CheckpointServerRuntimeMissing);

        /// <summary>The app's assembly is missing.</summary>
        public ErrorDefinition NotFound { get; }

        /// <summary>The process could not start, or exited before it listened.</summary>
        public ErrorDefinition StartFailed { get; }

        /// <summary>No ready line within the timeout.</summary>
        public ErrorDefinition StartTimeout { get; }

        /// <summary>The .NET runtime the app needs is not installed.</summary>
        public ErrorDefinition RuntimeMissing { get; }
    }
}
