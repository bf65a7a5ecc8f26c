using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using Daytona.Images;

namespace Daytona.Images.Tests;

// Framework-neutral on purpose: the .NET Framework smoke program (tests/NetFramework.Smoke) compiles this file too.

/// <summary>Replays the SDK's calls (<c>[method, ...arguments]</c>) on our builder.</summary>
internal static class SdkOps
{
    public static DaytonaImage Run(JsonElement ops, string cwd)
    {
        DaytonaImage? image = null;
        foreach (var op in ops.EnumerateArray())
        {
            var items = op.EnumerateArray().ToList();
            var method = items[0].GetString()!;
            var args = items.Skip(1).ToList();
            image = method switch
            {
                "base" => DaytonaImage.Base(args[0].GetString()!),
                "debianSlim" => DaytonaImage.DebianSlim(args.Count > 0 && args[0].ValueKind == JsonValueKind.String ? args[0].GetString() : null),
                "fromDockerfile" => DaytonaImage.FromDockerfile(args[0].GetString()!, cwd, Bool(Arg(args, 1), "strictContext")),
                "pipInstall" => image!.PipInstall(Strings(args[0]), PipOptions<PipInstallOptions>(Arg(args, 1))),
                "pipInstallFromRequirements" => image!.PipInstallFromRequirements(args[0].GetString()!, PipOptions<PipInstallOptions>(Arg(args, 1)), cwd),
                "pipInstallFromPyproject" => image!.PipInstallFromPyproject(args[0].GetString()!, PipOptions<PyprojectOptions>(Arg(args, 1)), cwd),
                "addLocalFile" => image!.AddLocalFile(args[0].GetString()!, args[1].GetString()!, cwd),
                "addLocalDir" => image!.AddLocalDir(args[0].GetString()!, args[1].GetString()!, cwd),
                "runCommands" => image!.RunCommands(args.Select(a => a.ValueKind == JsonValueKind.Array ? (object)Strings(a).ToArray() : a.GetString()!)),
                "env" => image!.Env(args[0].EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, Value(p.Value)))),
                "workdir" => image!.Workdir(args[0].GetString()!),
                "entrypoint" => image!.Entrypoint(Strings(args[0])),
                "cmd" => image!.Cmd(Strings(args[0])),
                "dockerfileCommands" => image!.DockerfileCommands(Strings(args[0]), Arg(args, 1) is { ValueKind: JsonValueKind.String } d ? d.GetString() : null, Bool(Arg(args, 2), "strictContext"), cwd),
                _ => throw new InvalidOperationException("unmapped SDK method " + method),
            };
        }

        return image!;
    }

    private static JsonElement? Arg(List<JsonElement> args, int index) => args.Count > index ? args[index] : null;

    private static bool Bool(JsonElement? options, string name) =>
        options is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static List<string> Strings(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new List<string> { value.GetString()! },
        JsonValueKind.Array => value.EnumerateArray().SelectMany(Strings).ToList(),
        _ => new List<string> { null! },
    };

    private static object? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };

    private static T? PipOptions<T>(JsonElement? options)
        where T : PipInstallOptions, new()
    {
        if (options is not { ValueKind: JsonValueKind.Object } o)
        {
            return null;
        }

        var result = new T();
        foreach (var p in o.EnumerateObject())
        {
            switch (p.Name)
            {
                case "findLinks": result.FindLinks = Strings(p.Value); break;
                case "indexUrl": result.IndexUrl = p.Value.GetString(); break;
                case "extraIndexUrls": result.ExtraIndexUrls = Strings(p.Value); break;
                case "pre": result.Pre = p.Value.ValueKind == JsonValueKind.True; break;
                case "extraOptions": result.ExtraOptions = p.Value.GetString(); break;
                case "optionalDependencies" when result is PyprojectOptions py: py.OptionalDependencies = Strings(p.Value); break;
                default: throw new InvalidOperationException("unmapped pip option " + p.Name);
            }
        }

        return result;
    }
}
