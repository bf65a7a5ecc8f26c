using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Security;
using Daytona.Common;
using Daytona.Snapshots.Common;

namespace Daytona.Snapshots.AzureDevOps
{
    /// <summary>
    /// <para type="synopsis">Publishes the properties of piped objects (or the entries of dictionaries) as Azure Pipelines variables and passes the objects on.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "DaytonaPipelineVariable", DefaultParameterSetName = PrefixSet)]
    [OutputType(typeof(PSObject))]
    public sealed class SetDaytonaPipelineVariableCommand : DaytonaCmdlet
    {
        private const string PrefixSet = "Prefix";
        private const string TemplateSet = "Template";

        /// <summary>Every object's publishable values, in pipeline order; published together when the input ends.</summary>
        private readonly List<List<(string Property, string Value, bool Secret)>> _objects = new List<List<(string, string, bool)>>();
        private readonly List<Func<string, string?>> _lookups = new List<Func<string, string?>>();
        private bool _notedOutside;

        /// <summary>The object whose properties become variables: a snapshot, a workflow result, a checkpoint, a dictionary, anything.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject? InputObject { get; set; }

        /// <summary>The variable name prefix: Prefix.Property for one object, Prefix.Index.Property for several.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PrefixSet)]
        [ValidateNotNullOrEmpty]
        public string Prefix { get; set; } = string.Empty;

        /// <summary>A name template: {Property}, {Index} and {AnyProperty} (a value of the object) are replaced.</summary>
        [Parameter(Mandatory = true, ParameterSetName = TemplateSet)]
        [ValidateNotNullOrEmpty]
        public string Name { get; set; } = string.Empty;

        /// <summary>Only these properties or keys (wildcards allowed); default: every property with a simple value.</summary>
        [Parameter(Position = 1)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Property { get; set; }

        /// <summary>Output variables (isOutput=true): read by later steps as $(step.name) and by later jobs and stages.</summary>
        [Parameter]
        public SwitchParameter IsOutput { get; set; }

        /// <summary>Secret variables (issecret=true): masked in the log, not mapped to environment variables.</summary>
        [Parameter]
        [Alias("Secret")]
        public SwitchParameter IsSecret { get; set; }

        /// <summary>Read-only variables (isreadonly=true): later tasks cannot overwrite them.</summary>
        [Parameter]
        public SwitchParameter IsReadOnly { get; set; }

        protected override void BeginProcessing()
        {
            if (ParameterSetName == PrefixSet && PipelineVariableNames.Problem(Prefix) is string problem)
            {
                ThrowTerminatingError(ErrorRecords.From(ErrorCatalog.PipelineVariableNameInvalid.Create(
                    $"The prefix is not a valid variable name: {problem}.", Prefix, recommendation: PipelineVariableNames.Rule + "."), Prefix));
            }

            if (ParameterSetName == TemplateSet && PipelineVariableNames.TemplateProblem(Name) is string templateProblem)
            {
                ThrowTerminatingError(ErrorRecords.From(ErrorCatalog.PipelineVariableTemplateInvalid.Create(
                    $"The -Name template '{Name}' is malformed: {templateProblem}", Name), Name));
            }
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null)
            {
                return;
            }

            WriteObject(InputObject);
            if (!PipelineLog.IsActive)
            {
                if (!_notedOutside)
                {
                    WriteVerbose("Not running in an Azure Pipelines job (TF_BUILD is not 'True'): no variables are set; objects pass through.");
                    _notedOutside = true;
                }

                return;
            }

            var values = new List<(string Property, string Value, bool Secret)>();
            var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var patterns = Property?.Select(p => WildcardPattern.Get(p, WildcardOptions.IgnoreCase)).ToArray();
            foreach (var (name, raw) in Members(InputObject))
            {
                var simple = TryFormat(raw, out var text);
                if (simple && !all.ContainsKey(name) && !(Unwrap(raw) is SecureString))
                {
                    all[name] = text;
                }

                if (patterns != null && !patterns.Any(p => p.IsMatch(name)))
                {
                    continue;
                }

                if (Unwrap(raw) is SecureString secure)
                {
                    if (IsSecret.IsPresent)
                    {
                        values.Add((name, SecureStrings.ToPlainText(secure), true));
                    }
                    else
                    {
                        WriteVerbose($"'{name}' is not published: it is a SecureString (publish it with -IsSecret).");
                    }

                    continue;
                }

                if (!simple)
                {
                    WriteVerbose($"'{name}' is not published: its value is not a simple value.");
                    continue;
                }

                values.Add((name, text, IsSecret.IsPresent));
            }

            _objects.Add(values);
            _lookups.Add(key => all.TryGetValue(key, out var value) ? value : null);
        }

        protected override void EndProcessing()
        {
            if (!PipelineLog.IsActive || _objects.Count == 0)
            {
                return;
            }

            var several = _objects.Count > 1;
            var variables = new List<(string Name, string Value, bool Secret)>();
            for (var index = 0; index < _objects.Count; index++)
            {
                foreach (var (property, value, secret) in _objects[index])
                {
                    string name;
                    if (ParameterSetName == TemplateSet)
                    {
                        try
                        {
                            name = PipelineVariableNames.Expand(Name, property, index, _lookups[index]);
                        }
                        catch (FormatException e)
                        {
                            WriteError(ErrorRecords.From(ErrorCatalog.PipelineVariableTemplateInvalid.Create(
                                $"Object {index}: the -Name template '{Name}' cannot name its property '{property}': {e.Message}", Name), Name));
                            continue;
                        }
                    }
                    else
                    {
                        name = several ? $"{Prefix}.{index.ToString(CultureInfo.InvariantCulture)}.{property}" : $"{Prefix}.{property}";
                    }

                    variables.Add((name, value, secret));
                }
            }

            if (several && ParameterSetName == PrefixSet)
            {
                variables.Add(($"{Prefix}.Count", _objects.Count.ToString(CultureInfo.InvariantCulture), false));
            }

            var refused = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, _, _) in variables)
            {
                if (PipelineVariableNames.Problem(name) is string problem && refused.Add(name))
                {
                    WriteError(ErrorRecords.From(ErrorCatalog.PipelineVariableNameInvalid.Create($"The variable '{name}' is not set: {problem}.", name), name));
                }
            }

            foreach (var group in PipelineVariableNames.Collisions(variables.Select(v => v.Name).Where(n => !refused.Contains(n)).ToList()))
            {
                foreach (var name in group)
                {
                    refused.Add(name);
                }

                var names = string.Join(", ", group.Distinct(StringComparer.Ordinal).Select(n => $"'{n}'"));
                WriteError(ErrorRecords.From(ErrorCatalog.PipelineVariableNameCollision.Create(
                    $"These values would be the same variable, so none of them is set: {names} (variable names ignore case, and a task's environment sees '.' as '_').",
                    group[0]), group[0]));
            }

            foreach (var (name, value, secret) in variables)
            {
                if (refused.Contains(name))
                {
                    continue;
                }

                Host.UI.WriteLine(AzurePipelines.SetVariable(name, value, IsOutput.IsPresent, secret, IsReadOnly.IsPresent));
                WriteVerbose(secret
                    ? $"Set {Kind()} {name} (secret)."
                    : $"Set {Kind()} {name} = {value}");
            }
        }

        private string Kind() => IsOutput.IsPresent ? "output variable" : "variable";

        /// <summary>A dictionary's entries (keys as names), or an object's gettable properties.</summary>
        private static IEnumerable<(string Name, object? Value)> Members(PSObject input)
        {
            if (input.BaseObject is IDictionary dictionary)
            {
                foreach (DictionaryEntry entry in dictionary)
                {
                    var key = Unwrap(entry.Key);
                    if (key != null && TryFormat(key, out var name) && !(key is SecureString))
                    {
                        yield return (name, entry.Value);
                    }
                }

                yield break;
            }

            foreach (var property in input.Properties)
            {
                if (!property.IsGettable)
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

                yield return (property.Name, value);
            }
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

        private static bool TryFormat(object? value, out string text)
        {
            value = Unwrap(value);
            switch (value)
            {
                case null:
                    text = string.Empty;
                    return true;
                case SecureString:
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
                    var parts = new List<string>();
                    foreach (var item in items)
                    {
                        var inner = Unwrap(item);
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
