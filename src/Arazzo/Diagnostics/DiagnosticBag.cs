using System.Collections.Generic;
using Daytona.Arazzo.Yaml;

namespace Daytona.Arazzo.Diagnostics
{
    /// <summary>Collects diagnostics for one document, looking up line and column by JSON path.</summary>
    public sealed class DiagnosticBag
    {
        private readonly List<Diagnostic> _items = new List<Diagnostic>();
        private readonly HashSet<string> _seen = new HashSet<string>();

        public DiagnosticBag(YamlJsonDocument? source, string? file)
        {
            Source = source;
            File = file;
        }

        public YamlJsonDocument? Source { get; }

        public string? File { get; }

        public IReadOnlyList<Diagnostic> Items => _items;

        public Diagnostic Add(DiagnosticSeverity severity, string code, string path, string message, bool leniency = false)
        {
            var position = Source?.Find(path);
            var diagnostic = new Diagnostic(severity, code, message, path, position?.Line ?? 0, position?.Column ?? 0, File) { IsLeniency = leniency };
            if (_seen.Add(code + "|" + path + "|" + message))
            {
                _items.Add(diagnostic);
            }

            return diagnostic;
        }

        public void Error(string code, string path, string message) => Add(DiagnosticSeverity.Error, code, path, message);

        public void Warning(string code, string path, string message) => Add(DiagnosticSeverity.Warning, code, path, message);

        public void Leniency(string code, string path, string message) => Add(DiagnosticSeverity.Warning, code, path, message, leniency: true);

        public void AddRange(IEnumerable<Diagnostic> diagnostics)
        {
            foreach (var d in diagnostics)
            {
                if (_seen.Add(d.Code + "|" + d.Location + "|" + d.Message + "|" + d.File))
                {
                    _items.Add(d);
                }
            }
        }
    }
}
