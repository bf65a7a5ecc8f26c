using System.Management.Automation;

namespace Daytona.Snapshots.Common
{
    /// <summary>
    /// What the module does when it is imported and removed. (Dependency resolution is not here: it lives in
    /// Daytona.Snapshots.Loader, imported first, because it must be in place before this assembly is analyzed.)
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        public void OnImport()
        {
        }

        public void OnRemove(PSModuleInfo module)
        {
            Emulator.EmulatorTracking.StopForCurrentRunspace();
        }
    }
}
