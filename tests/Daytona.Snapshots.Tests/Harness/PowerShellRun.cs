using System.Management.Automation;

namespace Daytona.Snapshots.Tests.Harness;

/// <summary>Everything one script wrote, stream by stream.</summary>
public sealed class PowerShellRun
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<WarningRecord> Warnings { get; init; }
    public required IReadOnlyList<VerboseRecord> Verbose { get; init; }
    public required IReadOnlyList<DebugRecord> Debug { get; init; }
    public required IReadOnlyList<InformationRecord> Information { get; init; }
    public required IReadOnlyList<ProgressRecord> Progress { get; init; }

    /// <summary>A terminating error that ended the script, if any (also listed in <see cref="Errors"/>).</summary>
    public RuntimeException? Terminating { get; init; }

    /// <summary>The error ids, e.g. <c>SnapshotNotFound,Daytona.Snapshots.Snapshots.GetDaytonaSnapshotCommand</c>.</summary>
    public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId);

    /// <summary>Fails with every error's text when the script wrote any error.</summary>
    public PowerShellRun ShouldSucceed()
    {
        if (Errors.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("The script wrote errors:\n" + string.Join("\n", Errors.Select(e => $"[{e.FullyQualifiedErrorId}] {e}")));
        }

        return this;
    }

    /// <summary>Every text the script put on any stream, for checks that a secret appears nowhere.</summary>
    public string AllText()
    {
        var parts = new List<string>();
        parts.AddRange(Output.Select(o => o?.ToString() ?? string.Empty));
        parts.AddRange(Errors.Select(e => $"{e} {e.Exception} {e.ErrorDetails?.Message} {e.ErrorDetails?.RecommendedAction} {e.TargetObject}"));
        parts.AddRange(Warnings.Select(w => w.Message));
        parts.AddRange(Verbose.Select(v => v.Message));
        parts.AddRange(Debug.Select(d => d.Message));
        parts.AddRange(Information.Select(i => i.MessageData?.ToString() ?? string.Empty));
        parts.AddRange(Progress.Select(p => $"{p.Activity} {p.StatusDescription} {p.CurrentOperation}"));
        return string.Join("\n", parts);
    }
}
