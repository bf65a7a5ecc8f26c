using System;
using System.Collections.Concurrent;
using Daytona.Checkpoints;
using Daytona.Checkpoints.Storage;
using Daytona.Common;

namespace Daytona.Snapshots.Checkpoints
{
    /// <summary>
    /// The one place a <c>-Repository</c> value becomes a repository location, for every checkpoint cmdlet and
    /// completer: a URL (<c>az://</c>, <c>https://&lt;account&gt;.blob.core.windows.net/…</c>, <c>s3://</c>) is parsed
    /// by <see cref="RepositoryLocation"/>; anything else is a PowerShell path, resolved by the caller's provider
    /// (relative to the current location, PSDrives, <c>~</c>), which must be the file system. Without a value,
    /// <c>$env:DAYTONA_CHECKPOINT_REPOSITORY</c> names the repository.
    /// A location given with a SAS is remembered by the form shown to the user (which never carries the SAS), so a
    /// checkpoint piped on to another command finds its repository again in the same session.
    /// </summary>
    internal static class RepositoryResolver
    {
        public const string EnvironmentVariable = "DAYTONA_CHECKPOINT_REPOSITORY";

        private static readonly ConcurrentDictionary<string, RepositoryLocation> s_withSecrets = new ConcurrentDictionary<string, RepositoryLocation>(StringComparer.Ordinal);

        /// <summary>The value to resolve: <paramref name="value"/>, else the environment variable; null when neither says.</summary>
        public static string? ValueOrDefault(string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value!.Trim();
            }

            var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment!.Trim();
        }

        /// <summary>
        /// Resolves a value (see <see cref="ValueOrDefault"/>). <paramref name="resolvePath"/> turns a PowerShell path
        /// into a provider path and says whether that provider is the file system.
        /// </summary>
        public static RepositoryLocation Resolve(string? value, Func<string, (string Path, bool IsFileSystem)> resolvePath)
        {
            var text = ValueOrDefault(value) ?? throw new DaytonaException(ErrorCatalog.CheckpointRepositoryMissing.Id, ErrorKind.InvalidArgument,
                "No checkpoint repository was named: pass -Repository, or set $env:" + EnvironmentVariable + ".", null);
            if (RepositoryLocation.LooksLikeUrl(text))
            {
                if (s_withSecrets.TryGetValue(text, out var remembered))
                {
                    return remembered;
                }

                var location = RepositoryLocation.ParseUrl(text);
                if (location.SasToken != null)
                {
                    s_withSecrets[location.Display] = location;
                }

                return location;
            }

            var (path, isFileSystem) = resolvePath(text);
            if (!isFileSystem)
            {
                throw StorageErrors.BadLocation(text, "it is a path of another PowerShell provider than the file system.");
            }

            return RepositoryLocation.ForFolder(CheckpointRepository.Normalize(path));
        }
    }
}
