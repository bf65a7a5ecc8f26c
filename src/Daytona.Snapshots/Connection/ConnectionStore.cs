using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using Daytona.Api;

namespace Daytona.Snapshots.Connection
{
    /// <summary>
    /// The connection each runspace last made with Connect-Daytona. Runspaces do not see each other's connection,
    /// so two scripts in one process (or parallel tests) never talk to each other's server.
    /// </summary>
    internal static class ConnectionStore
    {
        private sealed class Holder
        {
            public DaytonaConnection? Connection;
        }

        private static readonly ConditionalWeakTable<Runspace, Holder> s_byRunspace = new ConditionalWeakTable<Runspace, Holder>();
        private static readonly Holder s_noRunspace = new Holder();

        public static DaytonaConnection? Current
        {
            get => HolderFor(Runspace.DefaultRunspace).Connection;
            set => HolderFor(Runspace.DefaultRunspace).Connection = value;
        }

        private static Holder HolderFor(Runspace? runspace) => runspace == null ? s_noRunspace : s_byRunspace.GetValue(runspace, _ => new Holder());
    }
}
