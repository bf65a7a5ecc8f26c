using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using Daytona.Images;

namespace Daytona.Snapshots.Images
{
    /// <summary>
    /// <para type="synopsis">Sets environment variables (ENV) in a declarative Daytona image.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "DaytonaImageEnvironment")]
    [OutputType(typeof(DaytonaImage))]
    public sealed class SetDaytonaImageEnvironmentCommand : ImageBuilderCmdlet
    {
        /// <summary>Names and values; values must be strings (quote numbers: @{ PORT = '8000' }). An ordered hashtable keeps its order.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public IDictionary Variable { get; set; } = null!;

        protected override void ProcessRecord()
        {
            var entries = new List<KeyValuePair<string, object?>>();
            foreach (DictionaryEntry entry in Variable)
            {
                var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
                entries.Add(new KeyValuePair<string, object?>(entry.Key?.ToString() ?? string.Empty, value));
            }

            Emit(() => Image.Env(entries), Variable);
        }
    }
}
