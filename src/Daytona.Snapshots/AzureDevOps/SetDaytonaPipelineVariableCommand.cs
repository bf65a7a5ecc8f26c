using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Security;
using Daytona.Common;

namespace Daytona.Snapshots.AzureDevOps
{
    /// <summary>
    /// <para type="synopsis">Publishes the properties of piped objects as Azure Pipelines output variables and passes the objects on.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "DaytonaPipelineVariable")]
    [OutputType(typeof(PSObject))]
    public sealed class SetDaytonaPipelineVariableCommand : PSCmdlet
    {
        private bool _notedOutside;

        /// <summary>The object whose properties become variables: a snapshot, a workflow result, a checkpoint, anything.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        /// <summary>The variable name prefix: variables are named Prefix.Property.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidatePattern("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
        public string Prefix { get; set; } = string.Empty;

        /// <summary>Only these properties (wildcards allowed); default: every property with a simple value.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Property { get; set; }

        /// <summary>Publish the values as secret variables (masked in logs, not mapped to environment variables).</summary>
        [Parameter]
        public SwitchParameter Secret { get; set; }

        protected override void ProcessRecord()
        {
            if (InputObject == null)
            {
                return;
            }

            if (!PipelineLog.IsActive)
            {
                if (!_notedOutside)
                {
                    WriteVerbose("Not running in an Azure Pipelines job (TF_BUILD is not 'True'): no variables are set; objects pass through.");
                    _notedOutside = true;
                }

                WriteObject(InputObject);
                return;
            }

            var patterns = Property?.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToArray();
            foreach (var property in InputObject.Properties)
            {
                if (!property.IsGettable || (patterns != null && !patterns.Any(p => p.IsMatch(property.Name))))
                {
                    continue;
                }

                object? value;
                try
                {
                    value = property.Value;
                }
                catch (GetValueException)
                {
                    continue;
                }

                if (!TryFormat(value, out var text))
                {
                    WriteVerbose($"{Prefix}.{property.Name} is not set: its value is not a simple value.");
                    continue;
                }

                var name = Prefix + "." + property.Name;
                Host.UI.WriteLine(AzurePipelines.SetVariable(name, text, isOutput: true, isSecret: Secret.IsPresent));
                WriteVerbose(Secret.IsPresent ? $"Set output variable {name} (secret)." : $"Set output variable {name} = {text}");
            }

            WriteObject(InputObject);
        }

        private static bool TryFormat(object? value, out string text)
        {
            value = value is PSObject wrapped ? wrapped.BaseObject : value;
            switch (value)
            {
                case null:
                    text = string.Empty;
                    return true;
                case SecureString:
                    // A secret is never published as plain text, not even as a secret variable.
                    text = string.Empty;
                    return false;
                case string s:
                    text = s;
                    return true;
                case DateTime dateTime:
                    text = dateTime.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
                    return true;
                case DateTimeOffset offset:
                    text = offset.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture);
                    return true;
                case TimeSpan span:
                    text = span.ToString("c", CultureInfo.InvariantCulture);
                    return true;
                case bool flag:
                    text = flag ? "true" : "false";
                    return true;
                case Enum enumValue:
                    text = enumValue.ToString();
                    return true;
                case IFormattable formattable when value.GetType().IsPrimitive || value is decimal:
                    text = formattable.ToString(null, CultureInfo.InvariantCulture);
                    return true;
                case Uri or Guid or Version:
                    text = value.ToString()!;
                    return true;
                case IEnumerable items and not IDictionary:
                    var parts = new System.Collections.Generic.List<string>();
                    foreach (var item in items)
                    {
                        var inner = item is PSObject p ? p.BaseObject : item;
                        if (inner is IEnumerable and not string || !TryFormat(inner, out var part))
                        {
                            text = string.Empty;
                            return false;
                        }

                        parts.Add(part);
                    }

                    text = string.Join(",", parts);
                    return true;
                default:
                    text = string.Empty;
                    return false;
            }
        }
    }
}
