using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.OpenApi.Readers;

namespace Daytona.Arazzo.OpenApi
{
    /// <summary>
    /// Reads OpenAPI 2.0 and 3.0 descriptions with Microsoft.OpenApi.Readers (the pinned 1.6 line) to report what it
    /// finds wrong in them. Version 1.6 refuses OpenAPI 3.1 and 3.2 outright, so those are bound by
    /// <see cref="OpenApiDescription"/> alone and not checked here.
    /// </summary>
    public static class OpenApiReaderCheck
    {
        /// <summary>True for the versions the reader can read (swagger 2.0, openapi 3.0.x).</summary>
        public static bool CanRead(string? version) =>
            version != null && (version.StartsWith("2.", StringComparison.Ordinal) || version.StartsWith("3.0", StringComparison.Ordinal));

        /// <summary>The reader's errors and warnings for one description, each as "message (at pointer)".</summary>
        public static IReadOnlyList<string> Problems(string text)
        {
            try
            {
                new OpenApiStringReader().Read(text, out var diagnostic);
                return diagnostic.Errors.Concat(diagnostic.Warnings)
                    .Select(e => string.IsNullOrEmpty(e.Pointer) ? e.Message : $"{e.Message} (at {e.Pointer})")
                    .Distinct()
                    .ToList();
            }
            catch (Exception e) when (!(e is OutOfMemoryException))
            {
                return new[] { "Microsoft.OpenApi could not read the description: " + e.Message };
            }
        }
    }
}
