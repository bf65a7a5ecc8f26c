using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using Daytona.Recording;

namespace Daytona.Snapshots.Recording
{
    /// <summary>
    /// The recording each runspace has running (Start-ArazzoRecording to Stop-ArazzoRecording). Runspaces do not see
    /// each other's, so two scripts in one process (or parallel tests) never record into each other's workflow.
    /// </summary>
    internal static class RecordingStore
    {
        private sealed class Holder
        {
            public RecordingSession? Session;
        }

        private static readonly ConditionalWeakTable<Runspace, Holder> s_byRunspace = new ConditionalWeakTable<Runspace, Holder>();
        private static readonly Holder s_noRunspace = new Holder();

        /// <summary>The running recording of the calling pipeline's runspace; read it on the pipeline thread.</summary>
        public static RecordingSession? Current
        {
            get => HolderFor(Runspace.DefaultRunspace).Session;
            set => HolderFor(Runspace.DefaultRunspace).Session = value;
        }

        private static Holder HolderFor(Runspace? runspace) => runspace == null ? s_noRunspace : s_byRunspace.GetValue(runspace, _ => new Holder());
    }
}
