using System.Security.Cryptography;
using System.Text;

namespace Daytona.Emulator.Engine;

/// <summary>
/// The log a pretend build writes, in the classic Docker builder's format that Daytona's runner streams
/// ("Step n/N : …", " ---> id", "Successfully built …"). A Dockerfile holding the line <c># emulator: fail</c>
/// fails at its last RUN step (or its last step); a failure reason from the control API fails the same way.
/// </summary>
internal static class BuildScript
{
    public const string FailMarker = "# emulator: fail";

    public sealed record BuildPlan(IReadOnlyList<string> Lines, string? ErrorReason);

    public static BuildPlan Plan(string dockerfile, string snapshotRef, string? failReason)
    {
        var instructions = Instructions(dockerfile);
        var markedToFail = dockerfile.Split('\n').Any(l => l.Trim() == FailMarker);
        var failAt = -1;
        if (markedToFail || failReason != null)
        {
            failAt = instructions.FindLastIndex(i => i.StartsWith("RUN ", StringComparison.OrdinalIgnoreCase));
            if (failAt < 0)
            {
                failAt = instructions.Count - 1;
            }
        }

        var lines = new List<string>();
        var n = instructions.Count;
        string? errorReason = null;
        for (var i = 0; i < n; i++)
        {
            var instruction = instructions[i];
            lines.Add($"Step {i + 1}/{n} : {instruction}");
            var keyword = instruction.Split(' ', 2)[0].ToUpperInvariant();
            var argument = instruction.Length > keyword.Length ? instruction[(keyword.Length + 1)..].Trim() : string.Empty;
            if (keyword == "RUN")
            {
                var container = Id(snapshotRef, "c" + i)[..12];
                lines.Add($" ---> Running in {container}");
                lines.AddRange(RunOutput(argument));
                if (i == failAt)
                {
                    errorReason = failReason ?? $"The command '/bin/sh -c {argument}' returned a non-zero code: 1";
                    lines.Add(failReason != null ? $"error: {failReason}" : "error: this build was marked to fail (# emulator: fail)");
                    lines.Add(errorReason);
                    return new BuildPlan(lines, errorReason);
                }

                lines.Add($"Removing intermediate container {container}");
            }
            else if (i == failAt)
            {
                errorReason = failReason ?? $"failed to process \"{instruction}\": the build was marked to fail";
                lines.Add(errorReason);
                return new BuildPlan(lines, errorReason);
            }
            else if (keyword == "FROM")
            {
                var image = argument.Split(' ')[0];
                var repository = SnapshotStore.RepositoryOf(image);
                var tag = image.Length > repository.Length + 1 ? image[(repository.Length + 1)..] : "latest";
                lines.Add($"{tag}: Pulling from {(repository.Contains('/') ? repository : "library/" + repository)}");
                lines.Add($"Digest: sha256:{Id(snapshotRef, "digest" + i)}");
                lines.Add($"Status: Downloaded newer image for {argument.Split(' ')[0]}");
            }

            lines.Add($" ---> {Id(snapshotRef, "layer" + i)[..12]}");
        }

        if (n == 0 && failAt >= 0)
        {
            errorReason = failReason ?? "the Dockerfile holds no instruction";
            lines.Add(errorReason);
            return new BuildPlan(lines, errorReason);
        }

        lines.Add($"Successfully built {Id(snapshotRef, "layer" + (n - 1))[..12]}");
        lines.Add($"Successfully tagged {snapshotRef}");
        return new BuildPlan(lines, null);
    }

    /// <summary>The Dockerfile's instructions: continuation lines joined, comments and blank lines dropped.</summary>
    internal static List<string> Instructions(string dockerfile)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in dockerfile.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Append(line[..^1].TrimEnd()).Append(' ');
                continue;
            }

            current.Append(line);
            result.Add(current.ToString().Trim());
            current.Clear();
        }

        if (current.Length > 0)
        {
            result.Add(current.ToString().Trim());
        }

        return result;
    }

    private static IEnumerable<string> RunOutput(string command)
    {
        if (command.Contains("pip install", StringComparison.Ordinal))
        {
            var packages = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .SkipWhile(w => w != "install").Skip(1)
                .Where(w => !w.StartsWith('-') && !w.StartsWith('\''))
                .Select(w => w.Trim('"'))
                .ToList();
            foreach (var package in packages)
            {
                yield return $"Collecting {package}";
                yield return $"  Downloading {package.Split('=', '<', '>', '[')[0]}-1.0.0-py3-none-any.whl (1.2 MB)";
            }

            yield return "Installing collected packages: " + string.Join(", ", packages);
            yield return "Successfully installed " + string.Join(" ", packages.Select(p => p.Split('=', '<', '>', '[')[0] + "-1.0.0"));
        }
        else if (command.Contains("apt-get", StringComparison.Ordinal))
        {
            yield return "Reading package lists...";
            yield return "Building dependency tree...";
            yield return "Reading state information...";
        }
    }

    private static string Id(string seed, string salt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed + "/" + salt)));
}
