using System;
using System.Collections.Generic;
using System.IO;
using Daytona.Arazzo.Diagnostics;
using Daytona.Arazzo.Model;
using Daytona.Arazzo.Yaml;
using Daytona.Common;

namespace Daytona.Arazzo
{
    /// <summary>A document read from text, with what the reader found wrong on the way.</summary>
    public sealed class LoadResult
    {
        internal LoadResult(ArazzoDocument? document, IReadOnlyList<Diagnostic> diagnostics)
        {
            Document = document;
            Diagnostics = diagnostics;
        }

        /// <summary>The document, or null when the text is not YAML/JSON at all.</summary>
        public ArazzoDocument? Document { get; }

        public IReadOnlyList<Diagnostic> Diagnostics { get; }
    }

    /// <summary>Reads Arazzo 1.0.x descriptions (YAML or JSON) into the object model.</summary>
    public static class ArazzoLoader
    {
        /// <summary>Largest document accepted (bytes of text).</summary>
        public const int MaxDocumentLength = 20 * 1024 * 1024;

        public static LoadResult LoadFile(string path)
        {
            var full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw ErrorCatalog.ArazzoDocumentNotFound.Create($"The Arazzo document '{full}' does not exist.", path);
            }

            var info = new FileInfo(full);
            if (info.Length > MaxDocumentLength)
            {
                var bag = new DiagnosticBag(null, full);
                bag.Error("DocumentTooLarge", JsonPaths.Root, $"The document is {info.Length} bytes; the limit is {MaxDocumentLength}.");
                return new LoadResult(null, bag.Items);
            }

            string text;
            try
            {
                text = ReadBounded(File.OpenRead(full), MaxDocumentLength);
            }
            catch (DocumentTooLargeException)
            {
                // A special file (a device, a pipe) reports no length; it is read only up to the limit.
                var bag = new DiagnosticBag(null, full);
                bag.Error("DocumentTooLarge", JsonPaths.Root, $"The document is longer than {MaxDocumentLength} characters, the limit.");
                return new LoadResult(null, bag.Items);
            }

            return Parse(text, full);
        }

        /// <summary>
        /// Reads a stream as UTF-8 text, at most <paramref name="maxChars"/> characters: past that it throws, so an
        /// endless source (<c>/dev/zero</c>, a server that never stops sending) cannot exhaust memory.
        /// </summary>
        internal static string ReadBounded(Stream stream, int maxChars)
        {
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            var builder = new System.Text.StringBuilder();
            var buffer = new char[81920];
            int read;
            while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (builder.Length + read > maxChars)
                {
                    throw new DocumentTooLargeException(maxChars);
                }

                builder.Append(buffer, 0, read);
            }

            return builder.ToString();
        }

        public static LoadResult Parse(string text, string? location = null)
        {
            var bag = new DiagnosticBag(null, location);
            if (text.Length > MaxDocumentLength)
            {
                bag.Error("DocumentTooLarge", JsonPaths.Root, $"The document is {text.Length} characters; the limit is {MaxDocumentLength}.");
                return new LoadResult(null, bag.Items);
            }

            YamlJsonDocument source;
            try
            {
                source = YamlJson.Load(text);
            }
            catch (YamlJsonException e)
            {
                var diagnostic = new Diagnostic(DiagnosticSeverity.Error, "InvalidYaml", e.Message, JsonPaths.Root, e.Position.Line, e.Position.Column, location);
                return new LoadResult(null, new[] { diagnostic });
            }

            var diagnostics = new DiagnosticBag(source, location);
            var document = new DocumentReader(diagnostics).Read(source.Root);
            document.Location = location;
            document.Source = source;
            return new LoadResult(document, diagnostics.Items);
        }
    }

    /// <summary>A document or source description longer than the limit.</summary>
    public sealed class DocumentTooLargeException : IOException
    {
        public DocumentTooLargeException(int limit)
            : base($"it is longer than {limit} characters, the limit for a document")
        {
        }
    }
}
