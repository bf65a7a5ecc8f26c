// The binding check: proves, at build time, that every assembly reference in the built module binds on .NET Framework
// (Windows PowerShell 5.1) without binding redirects. Our own because no tool answers this question: it must apply the
// module's own resolver policy (Daytona.Snapshots.Loader.BindingPolicy) to the references System.Reflection.Metadata reads.
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Daytona.Snapshots.Loader;

var arguments = args.ToList();
if (arguments.Count < 1 || arguments.Contains("-h") || arguments.Contains("--help"))
{
    Console.Error.WriteLine("usage: BindingCheck <module folder> [<.NET Framework reference assemblies folder>]");
    return 2;
}

var module = Path.GetFullPath(arguments[0]);
var frameworkFolder = arguments.Count > 1
    ? arguments[1]
    : typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FrameworkReferenceAssemblies").Value!;
if (!Directory.Exists(Path.Combine(module, "Dependencies")))
{
    Console.WriteLine($"BindingCheck: error BindingCheckNoModule: {module} has no Dependencies/ folder; build the module first.");
    return 1;
}

if (!Directory.Exists(frameworkFolder))
{
    Console.WriteLine($"BindingCheck: error BindingCheckNoFramework: the .NET Framework reference assemblies are not at {frameworkFolder}; restore tools/BindingCheck.");
    return 1;
}

var check = new BindingCheck(new DependencyFolder(Path.Combine(module, "Dependencies")), Framework.Read(frameworkFolder));
var files = Directory.GetFiles(module, "*.dll").Concat(Directory.GetFiles(Path.Combine(module, "Dependencies"), "*.dll")).OrderBy(f => f, StringComparer.Ordinal);
foreach (var file in files)
{
    check.Scan(file);
}

return check.Report(Console.Out, module);

/// <summary>The assemblies .NET Framework 4.7.2 itself provides (its reference assemblies and facades), by simple name.</summary>
internal static class Framework
{
    public static Dictionary<string, Version> Read(string folder)
    {
        var provided = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        var facades = Path.Combine(folder, "Facades");
        foreach (var file in Directory.GetFiles(folder, "*.dll").Concat(Directory.Exists(facades) ? Directory.GetFiles(facades, "*.dll") : []))
        {
            var identity = Identity(file);
            if (identity?.Name != null && identity.Version != null)
            {
                provided[identity.Name] = identity.Version;
            }
        }

        return provided;
    }

    public static AssemblyName? Identity(string file)
    {
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            return null;
        }

        var metadata = pe.GetMetadataReader();
        return metadata.IsAssembly ? metadata.GetAssemblyDefinition().GetAssemblyName() : null;
    }
}

internal sealed class BindingCheck(DependencyFolder shipped, Dictionary<string, Version> framework)
{
    // Provided by the host process: PowerShell loads the module, so its engine is always there.
    private static readonly HashSet<string> s_host = new(StringComparer.OrdinalIgnoreCase) { "System.Management.Automation" };

    private readonly List<(string Requester, Binding Binding)> _mismatches = [];
    private readonly List<string> _unresolved = [];
    private int _assemblies;
    private int _references;
    private int _exact;
    private int _byFramework;
    private int _byHost;

    public void Scan(string file)
    {
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            return;
        }

        var metadata = pe.GetMetadataReader();
        if (!metadata.IsAssembly)
        {
            return;
        }

        _assemblies++;
        var requester = metadata.GetAssemblyDefinition().GetAssemblyName();
        var requesterText = $"{requester.Name} {requester.Version}";
        foreach (var handle in metadata.AssemblyReferences)
        {
            var requested = metadata.GetAssemblyReference(handle).GetAssemblyName();
            _references++;

            // The .NET Framework binder looks in the GAC first: a framework assembly of the version asked (or newer, by
            // unification) is bound there, before any probing or resolver, even when the module ships a copy.
            if (framework.TryGetValue(requested.Name!, out var inFramework) && (requested.Version == null || inFramework >= requested.Version))
            {
                _byFramework++;
                continue;
            }

            var binding = BindingPolicy.Decide(shipped, requested, requesterKnown: true, requesterLocation: file);
            switch (binding.Kind)
            {
                case BindingKind.Exact:
                    _exact++;
                    break;
                case BindingKind.NewerShipped:
                    _mismatches.Add((requesterText, binding));
                    break;
                case BindingKind.NotShipped when s_host.Contains(requested.Name!):
                    _byHost++;
                    break;
                case BindingKind.NotShipped when framework.TryGetValue(requested.Name!, out var provided):
                    _unresolved.Add($"{requesterText} asks {requested.Name} {requested.Version}; .NET Framework 4.7.2 has {provided} and the module ships no newer file.");
                    break;
                case BindingKind.NotShipped:
                    _unresolved.Add($"{requesterText} asks {requested.Name} {requested.Version}, which neither the module nor .NET Framework 4.7.2 provides.");
                    break;
                default:
                    _unresolved.Add($"{requesterText} asks {binding}.");
                    break;
            }
        }
    }

    public int Report(TextWriter output, string module)
    {
        output.WriteLine($"Binding check of {module} on .NET Framework 4.7.2 (Windows PowerShell 5.1), without binding redirects:");
        output.WriteLine($"  {_assemblies} assemblies, {_references} references: {_exact} bind to a shipped file of the version asked, {_byFramework} to the framework (its GAC binds first), {_byHost} to PowerShell; {_mismatches.Count} ask another version than shipped.");
        foreach (var group in _mismatches.GroupBy(m => (m.Binding.Requested.Name, m.Binding.Requested.Version)).OrderBy(g => g.Key.Name, StringComparer.Ordinal).ThenBy(g => g.Key.Version))
        {
            var binding = group.First().Binding;
            output.WriteLine($"  mismatch: {binding.Requested.Name} {binding.Requested.Version} asked by {string.Join(", ", group.Select(m => m.Requester).Distinct().Order(StringComparer.Ordinal))} -> resolved by the loader: answered with the shipped {binding.Shipped!.Version} (Dependencies/{Path.GetFileName(binding.Shipped.Path)})");
        }

        foreach (var line in _unresolved)
        {
            // MSBuild's canonical error format: the build fails and shows the line as an error.
            output.WriteLine($"BindingCheck: error BindingMismatchUnresolved: {line} On Windows PowerShell 5.1 this load fails; ship a version at least as new (pin it in Directory.Packages.props).");
        }

        var mismatchCount = _mismatches.Select(m => (m.Binding.Requested.Name, m.Binding.Requested.Version)).Distinct().Count();
        output.WriteLine($"Binding check: {mismatchCount} mismatched versions ({_mismatches.Count} references), {mismatchCount} resolved by the loader, {_unresolved.Count} unresolved.");
        return _unresolved.Count == 0 ? 0 : 1;
    }
}
