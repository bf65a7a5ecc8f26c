using System.Management.Automation;

namespace Daytona.Snapshots.Common
{
    /// <summary>
    /// What the module does when it is removed (its emulators stop). (Dependency resolution is not here: it lives in
    /// Daytona.Snapshots.Loader, imported first, because it must be in place before this assembly is analyzed.)
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyCleanup
    {
        public void OnRemove(PSModuleInfo module)
        {
            Emulator.EmulatorTracking.StopForCurrentRunspace();
            CheckpointServer.CheckpointServerTracking.StopForCurrentRunspace();
        }
    }
}
