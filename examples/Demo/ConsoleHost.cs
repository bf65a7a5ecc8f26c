using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace Daytona.Demo;

/// <summary>
/// A minimal console host: enough for Out-Default to render tables and lists with the module's format views at the
/// console's width, and for warnings, verbose and progress lines to show as pwsh would show them.
/// </summary>
internal sealed class ConsoleHost : PSHost
{
    private readonly ConsoleUserInterface _ui = new();

    public override string Name => "Daytona.Demo";
    public override Version Version => new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;
    public override PSHostUserInterface UI => _ui;
    public int ExitCode { get; private set; }

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;

    private sealed class ConsoleUserInterface : PSHostUserInterface
    {
        private readonly ConsoleRawUserInterface _raw = new();

        public override PSHostRawUserInterface RawUI => _raw;

        // Colours when a person watches; plain text when the output goes to a file or a CI log.
        public override bool SupportsVirtualTerminal => !Console.IsOutputRedirected;

        private static readonly System.Text.RegularExpressions.Regex s_escape = new(@"\x1b\[[0-9;?]*[A-Za-z]", System.Text.RegularExpressions.RegexOptions.Compiled);

        private string Plain(string value) => SupportsVirtualTerminal ? value : s_escape.Replace(value, string.Empty);

        public override void Write(string value) => Console.Write(Plain(value));
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Console.Write(Plain(value));
        public override void WriteLine(string value) => Console.WriteLine(Plain(value));
        public override void WriteErrorLine(string value) => Console.Error.WriteLine(Plain(value));
        public override void WriteDebugLine(string message) => Console.WriteLine("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => Console.WriteLine("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => Console.WriteLine("WARNING: " + message);
        public override void WriteInformation(InformationRecord record) => Console.WriteLine(record.MessageData?.ToString());

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            // Progress bars need a live console; the demo prints each change of status once, as a plain line.
            if (record.RecordType != ProgressRecordType.Completed && record.PercentComplete is 0 or 100 or -1)
            {
                Console.WriteLine($"  ... {record.Activity}: {record.StatusDescription}");
            }
        }

        public override string ReadLine() => string.Empty;
        public override SecureString ReadLineAsSecureString() => new();
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => new();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => defaultChoice;
    }

    private sealed class ConsoleRawUserInterface : PSHostRawUserInterface
    {
        private static int Width => Console.IsOutputRedirected ? 120 : Math.Max(80, Console.WindowWidth);

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
        public override Size BufferSize { get => new(Width, 3000); set { } }
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(Width, 50);
        public override Size MaxWindowSize => new(Width, 50);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get => new(Width, 50); set { } }
        public override string WindowTitle { get; set; } = "Daytona.Demo";

        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
