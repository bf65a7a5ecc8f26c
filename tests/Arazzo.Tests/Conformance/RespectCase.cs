using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Daytona.Arazzo.Expressions;

namespace Arazzo.Tests.Conformance;

/// <summary>One step as Respect's recorded output shows it: the workflow, the step, and the outcome of its checks.</summary>
internal sealed record RespectStep(string Workflow, string Step, bool? Passed, int? Status, bool NetworkFailure);

/// <summary>
/// A Redocly Respect e2e test read from its <c>*.test.ts</c> and Jest/Vitest snapshot: the fixture it runs, the CLI
/// arguments it passes (inputs, <c>--workflow</c>/<c>-w</c>, <c>--severity</c>), the environment it sets (variables Respect
/// exposes as <c>$inputs.env.*</c>, its step limit), and the steps its recorded output shows. Written to read any
/// formatting: calls and argument lists may span lines and use any quotes.
/// </summary>
internal sealed class RespectCase
{
    private static readonly Regex s_string = new(@"'((?:[^'\\]|\\.)*)'|""((?:[^""\\]|\\.)*)""|`((?:[^`\\]|\\.)*)`", RegexOptions.Singleline);

    public string Name { get; private init; } = string.Empty;

    public string Directory { get; private init; } = string.Empty;

    /// <summary>The Arazzo document the test runs.</summary>
    public string? Document { get; private init; }

    public JsonObject Inputs { get; } = new();

    /// <summary>Only these workflows run (<c>--workflow</c>, <c>-w</c>); empty: all.</summary>
    public List<string> Workflows { get; } = new();

    /// <summary>The <c>--severity</c> settings, which change what Respect counts as a failure.</summary>
    public List<string> Severities { get; } = new();

    /// <summary>Respect's step limit for the run (<c>REDOCLY_CLI_RESPECT_MAX_STEPS</c>), when the test sets one.</summary>
    public int? MaxSteps { get; private set; }

    /// <summary>The test starts a server of its own (e.g. <c>npm run json-server</c>).</summary>
    public bool StartsServer { get; private init; }

    /// <summary>The steps Respect ran, in order (only the first lines when the test keeps only those).</summary>
    public List<RespectStep> Expected { get; private init; } = new();

    /// <summary>True when the test compares only the first lines of the output: later steps are not known.</summary>
    public bool Truncated { get; private init; }

    public static RespectCase Read(string directory)
    {
        var test = File.ReadAllText(System.IO.Directory.GetFiles(directory, "*.test.ts")[0]);
        var fixtures = Regex.Matches(test, @"join\(\s*__dirname\s*,\s*(?<path>(?:'[^']*'|""[^""]*""|`[^`]*`)(?:\s*,\s*(?:'[^']*'|""[^""]*""|`[^`]*`))*)\s*\)", RegexOptions.Singleline)
            .Select(m => Path.Combine(new[] { directory }.Concat(s_string.Matches(m.Groups["path"].Value).Select(Unquote)).ToArray()))
            .Select(Path.GetFullPath)
            .Where(p => (p.EndsWith(".yaml", StringComparison.Ordinal) || p.EndsWith(".yml", StringComparison.Ordinal) || p.EndsWith(".json", StringComparison.Ordinal)) && File.Exists(p))
            .ToList();
        var document = fixtures.FirstOrDefault(IsArazzo) ?? System.IO.Directory.GetFiles(directory).Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml")).OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault(IsArazzo);
        var snapshot = File.ReadAllText(System.IO.Directory.GetFiles(Path.Combine(directory, "__snapshots__"))[0]);
        var sliced = Regex.Match(test, @"\.slice\(\s*0\s*,\s*(\d+)\s*\)");
        var output = FirstExport(snapshot);
        if (sliced.Success)
        {
            output = string.Join("\n", output.Split('\n').Take(int.Parse(sliced.Groups[1].Value)));
        }

        var result = new RespectCase
        {
            Name = Path.GetFileName(directory),
            Directory = directory,
            Document = document,
            StartsServer = Regex.IsMatch(test, @"\bspawn\s*\("),
            Expected = ParseOutput(output),
            Truncated = sliced.Success,
        };
        result.ReadArguments(test);
        result.ReadEnvironment(test);
        return result;
    }

    private static bool IsArazzo(string path) => Regex.IsMatch(File.ReadAllText(path), @"^\s*[""']?arazzo[""']?\s*:", RegexOptions.Multiline);

    private static string Unquote(Match m) => Regex.Unescape(m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value);

    /// <summary>The string literals of the array given to <c>getParams(…, [ … ])</c>, flags and values alike.</summary>
    private void ReadArguments(string test)
    {
        var call = Regex.Match(test, @"getParams\s*\(\s*[^,]+,\s*\[(?<args>.*?)\]\s*\)", RegexOptions.Singleline);
        if (!call.Success)
        {
            return;
        }

        var args = s_string.Matches(call.Groups["args"].Value).Select(Unquote).ToList();
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inline) = Split(args[i]);
            string? Value() => inline ?? (i + 1 < args.Count ? args[++i] : null);
            switch (flag)
            {
                case "--input":
                case "-i":
                    AddInput(Value());
                    break;
                case "--workflow":
                case "-w":
                    Workflows.AddRange((Value() ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--severity":
                case "-s":
                    if (Value() is string severity)
                    {
                        Severities.Add(severity);
                    }

                    break;
                case "--max-steps":
                    if (int.TryParse(Value(), out var steps))
                    {
                        MaxSteps = steps;
                    }

                    break;
            }
        }
    }

    private static (string Flag, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=');
        return arg.StartsWith("-", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private void AddInput(string? value)
    {
        if (value == null)
        {
            return;
        }

        if (JsonUtil.TryParseJson(value, out var json) && json is JsonObject obj)
        {
            foreach (var pair in obj.ToList())
            {
                Inputs[pair.Key] = pair.Value?.DeepClone();
            }
        }
        else if (value.Contains('='))
        {
            var raw = value[(value.IndexOf('=') + 1)..];
            Inputs[value[..value.IndexOf('=')]] = JsonUtil.TryParseJson(raw, out var parsed) && parsed is JsonValue ? parsed : JsonValue.Create(raw);
        }
    }

    /// <summary><c>process.env.X = '…'</c> and <c>env: { X: '…' }</c>: Respect reads them as <c>$inputs.env.X</c>; its step limit from there too.</summary>
    private void ReadEnvironment(string test)
    {
        var env = new JsonObject();
        foreach (Match m in Regex.Matches(test, @"process\.env\.(\w+)\s*=\s*(?<value>'[^']*'|""[^""]*""|`[^`]*`)"))
        {
            env[m.Groups[1].Value] = Unquote(s_string.Match(m.Groups["value"].Value));
        }

        foreach (Match block in Regex.Matches(test, @"env\s*:\s*\{(?<body>[^}]*)\}", RegexOptions.Singleline))
        {
            foreach (Match m in Regex.Matches(block.Groups["body"].Value, @"(\w+)\s*:\s*(?<value>'[^']*'|""[^""]*""|`[^`]*`)"))
            {
                env[m.Groups[1].Value] = Unquote(s_string.Match(m.Groups["value"].Value));
            }
        }

        if (env["REDOCLY_CLI_RESPECT_MAX_STEPS"] is JsonValue limit && int.TryParse(limit.ToString(), out var steps))
        {
            MaxSteps = steps;
        }

        if (env.Count > 0)
        {
            Inputs["env"] = env;
        }
    }

    /// <summary>The text of the first <c>exports[`…`] = `…`;</c> of a snapshot file.</summary>
    private static string FirstExport(string snapshot)
    {
        var match = Regex.Match(snapshot, @"exports\[`[^`]*`\]\s*=\s*`(?<body>(?:[^`\\]|\\.)*)`", RegexOptions.Singleline);
        return match.Success ? match.Groups["body"].Value : snapshot;
    }

    /// <summary>The steps Respect ran, in order, with the outcome of their success criteria check when shown.</summary>
    internal static List<RespectStep> ParseOutput(string output)
    {
        var result = new List<RespectStep>();
        var workflow = string.Empty;
        var body = output;
        foreach (var marker in new[] { "Failed tests info:", "Summary for" })
        {
            var at = body.IndexOf(marker, StringComparison.Ordinal);
            if (at > 0)
            {
                body = body[..at];
            }
        }

        foreach (var line in body.Split('\n'))
        {
            var running = Regex.Match(line, @"Running workflow \S+ / (\S+)");
            if (running.Success)
            {
                workflow = running.Groups[1].Value;
                continue;
            }

            var step = Regex.Match(line, @"^\s{2}([✓✗]) .* - step (\S+)\s*$");
            if (step.Success)
            {
                result.Add(new RespectStep(workflow, step.Groups[2].Value, null, null, false));
                continue;
            }

            if (result.Count == 0)
            {
                continue;
            }

            var last = result[^1];
            var status = Regex.Match(line, @"^\s+Response status code:\s*(\d{3})");
            if (status.Success)
            {
                result[^1] = last with { Status = int.Parse(status.Groups[1].Value) };
                continue;
            }

            if (Regex.IsMatch(line, @"^\s{4}✗ failed network request"))
            {
                result[^1] = last with { NetworkFailure = true, Passed = false };
                continue;
            }

            var criteria = Regex.Match(line, @"^\s{4}([✓✗]) success criteria check");
            if (criteria.Success)
            {
                var passed = criteria.Groups[1].Value == "✓";
                result[^1] = last with { Passed = last.Passed == null ? passed : last.Passed & passed };
            }
        }

        return result;
    }
}
