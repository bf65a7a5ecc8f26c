using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Daytona.Common;
using Daytona.Common.Http;
using Daytona.Images;

namespace Daytona.Api.Images
{
    /// <summary>What happened to one build context.</summary>
    public sealed class ContextUpload
    {
        public ContextUpload(ImageContext context, string hash, string key, bool uploaded, long bytes)
        {
            Context = context;
            Hash = hash;
            Key = key;
            Uploaded = uploaded;
            Bytes = bytes;
        }

        public ImageContext Context { get; }

        public string Hash { get; }

        /// <summary><c>&lt;organization&gt;/&lt;hash&gt;/context.tar</c>.</summary>
        public string Key { get; }

        /// <summary>False when the storage already held this context and nothing was sent.</summary>
        public bool Uploaded { get; }

        public long Bytes { get; }
    }

    /// <summary>Options of <see cref="DeclarativeSnapshots.CreateAsync"/>: resources and entrypoint as for an image-name snapshot.</summary>
    public sealed class DeclarativeSnapshotOptions
    {
        public int? Cpu { get; set; }

        public int? Gpu { get; set; }

        public int? Memory { get; set; }

        public int? Disk { get; set; }

        public string? RegionId { get; set; }

        /// <summary>Appended to the Dockerfile as ENTRYPOINT, as the SDK does for an image with an entrypoint.</summary>
        public IReadOnlyList<string>? Entrypoint { get; set; }

        /// <summary>Build even when an active snapshot of this name already has this definition (an existing one is removed first).</summary>
        public bool Force { get; set; }
    }

    /// <summary>The outcome of <see cref="DeclarativeSnapshots.CreateAsync"/>.</summary>
    public sealed class DeclarativeSnapshotResult
    {
        internal DeclarativeSnapshotResult(Snapshot snapshot, bool reused, IReadOnlyList<ContextUpload> uploads)
        {
            Snapshot = snapshot;
            Reused = reused;
            Uploads = uploads;
        }

        public Snapshot Snapshot { get; }

        /// <summary>True when an existing snapshot with the same definition was returned: no upload, no build.</summary>
        public bool Reused { get; }

        public IReadOnlyList<ContextUpload> Uploads { get; }
    }

    /// <summary>
    /// Snapshots from declarative images, the way Daytona's SDK makes them: push access, each build context uploaded
    /// as a tar under <c>&lt;organization&gt;/&lt;hash&gt;/context.tar</c> unless the storage already has it, then
    /// <c>POST /snapshots</c> with <c>buildInfo { dockerfileContent, contextHashes }</c>. Before any of that, the name is
    /// looked up once: an active snapshot with the same Dockerfile and context hashes is returned as it is (one request),
    /// one still building from it too; a snapshot of the name built from another definition, or whose build failed, is
    /// replaced; one made from an image name is replaced only with <see cref="DeclarativeSnapshotOptions.Force"/>.
    /// </summary>
    public static class DeclarativeSnapshots
    {
        /// <summary>Uploads share one client, made by the module's handler factory with the long-transfer numbers.</summary>
        private static readonly HttpClient s_http = HttpHandlerFactory.CreateClient(HttpResilienceOptions.LongTransfers);

        /// <summary>The Dockerfile that is sent: the image's, with the entrypoint appended when one is given.</summary>
        public static string DockerfileFor(DaytonaImage image, IReadOnlyList<string>? entrypoint) =>
            entrypoint == null || entrypoint.Count == 0 ? image.Dockerfile : image.Entrypoint(entrypoint).Dockerfile;

        /// <summary>Hashes every context of <paramref name="image"/> as the files are now.</summary>
        public static IReadOnlyList<string> ComputeContextHashes(DaytonaImage image) => image.Context.Select(c => c.ComputeHash()).ToList();

        /// <summary>True when <paramref name="snapshot"/> was built from this Dockerfile and these contexts.</summary>
        public static bool SameDefinition(Snapshot snapshot, string dockerfile, IReadOnlyList<string> contextHashes)
        {
            var info = snapshot.BuildInfo;
            if (info == null || !string.Equals(info.DockerfileContent, dockerfile, StringComparison.Ordinal))
            {
                return false;
            }

            var theirs = (info.ContextHashes ?? Array.Empty<string>()).OrderBy(h => h, StringComparer.Ordinal);
            return theirs.SequenceEqual(contextHashes.OrderBy(h => h, StringComparer.Ordinal), StringComparer.Ordinal);
        }

        /// <summary>Uploads the contexts that storage lacks; returns one entry per context, in image order.</summary>
        /// <param name="progress">Called before each context with its index, the number of contexts and the context.</param>
        public static async Task<IReadOnlyList<ContextUpload>> UploadContextsAsync(DaytonaClient client, DaytonaImage image, IReadOnlyList<string> hashes, Action<string>? log, CancellationToken cancellationToken, Action<int, int, ImageContext>? progress = null)
        {
            if (image.Context.Count == 0)
            {
                return Array.Empty<ContextUpload>();
            }

            var access = await PushAccess.RequestAsync(client, cancellationToken).ConfigureAwait(false);
            var storage = new ContextStorage(access, s_http);
            var results = new List<ContextUpload>();
            for (var i = 0; i < image.Context.Count; i++)
            {
                var context = image.Context[i];
                progress?.Invoke(i, image.Context.Count, context);
                var hash = hashes[i];
                var prefix = storage.PrefixFor(hash);
                var key = prefix + "context.tar";
                if (await storage.ExistsAsync(prefix, cancellationToken).ConfigureAwait(false))
                {
                    log?.Invoke($"Context {context.SourcePath} ({hash}) is already stored; not uploading it.");
                    results.Add(new ContextUpload(context, hash, key, uploaded: false, bytes: 0));
                    continue;
                }

                IReadOnlyList<ContextArchive.Entry> entries;
                try
                {
                    entries = ContextArchive.Plan(context.FullPath, context.ArchivePath);
                }
                catch (System.IO.FileNotFoundException)
                {
                    throw ImageErrors.NotFound("Path does not exist: " + context.SourcePath, context.SourcePath);
                }

                var bytes = await storage.PutArchiveAsync(key, entries, cancellationToken).ConfigureAwait(false);
                log?.Invoke($"Uploaded context {context.SourcePath} as {key} ({bytes} bytes).");
                results.Add(new ContextUpload(context, hash, key, uploaded: true, bytes: bytes));
            }

            return results;
        }

        /// <summary>
        /// Creates (or reuses) the snapshot <paramref name="name"/> built from <paramref name="image"/>. Messages about
        /// what is done and why go to <paramref name="log"/>.
        /// </summary>
        /// <param name="contextHashes">The context hashes when the caller has just computed them; null to compute them here.</param>
        /// <param name="progress">Called before each context is checked and uploaded (index, count, context).</param>
        public static async Task<DeclarativeSnapshotResult> CreateAsync(DaytonaClient client, string name, DaytonaImage image, DeclarativeSnapshotOptions? options, Action<string>? log, CancellationToken cancellationToken, IReadOnlyList<string>? contextHashes = null, Action<int, int, ImageContext>? progress = null)
        {
            options ??= new DeclarativeSnapshotOptions();
            var dockerfile = DockerfileFor(image, options.Entrypoint);
            var hashes = contextHashes ?? ComputeContextHashes(image);
            var buildHash = DaytonaImage.ComputeBuildHash(dockerfile, hashes);

            var existing = await client.FindSnapshotAsync(name, cancellationToken).ConfigureAwait(false);
            if (existing != null)
            {
                var same = SameDefinition(existing, dockerfile, hashes);
                if (same && !options.Force && existing.State == SnapshotState.Active)
                {
                    log?.Invoke($"Snapshot '{name}' is active and was built from this definition (build hash {buildHash}); reusing it: no upload, no build. Use -Force to build again.");
                    return new DeclarativeSnapshotResult(existing, reused: true, Array.Empty<ContextUpload>());
                }

                if (same && !options.Force && existing.State == SnapshotState.Inactive)
                {
                    log?.Invoke($"Snapshot '{name}' was built from this definition and is inactive; returning it without uploading or building (Enable-DaytonaSnapshot activates it).");
                    return new DeclarativeSnapshotResult(existing, reused: true, Array.Empty<ContextUpload>());
                }

                var inProgress = existing.State == SnapshotState.Pending || existing.State == SnapshotState.Building ||
                                 existing.State == SnapshotState.BuildPending || existing.State == SnapshotState.Pulling;
                if (same && !options.Force && inProgress)
                {
                    log?.Invoke($"Snapshot '{name}' is already being built from this definition ({existing.StateText}); returning it.");
                    return new DeclarativeSnapshotResult(existing, reused: true, Array.Empty<ContextUpload>());
                }

                if (existing.BuildInfo == null && !options.Force && existing.State != SnapshotState.Removing)
                {
                    throw new DaytonaException(DaytonaErrorIds.SnapshotAlreadyExists, ErrorKind.ResourceExists, $"A snapshot named '{name}' already exists and was made from an image name, not from a declarative image.", name)
                    {
                        RecommendedAction = "Use -Force to replace it, remove it with Remove-DaytonaSnapshot, or choose another name.",
                    };
                }

                var reason = options.Force ? "-Force was given"
                    : same ? $"its build from this definition ended {existing.StateText}"
                    : $"the definition changed (build hash now {buildHash})";
                log?.Invoke($"Replacing the snapshot '{name}' ({existing.StateText}): {reason}.");
                if (existing.State != SnapshotState.Removing)
                {
                    await client.DeleteSnapshotAsync(existing.Id, cancellationToken).ConfigureAwait(false);
                }

                await WaitUntilGoneAsync(client, name, cancellationToken).ConfigureAwait(false);
            }

            var uploads = await UploadContextsAsync(client, image, hashes, log, cancellationToken, progress).ConfigureAwait(false);
            var request = new CreateSnapshotRequest(name)
            {
                DockerfileContent = dockerfile,
                ContextHashes = hashes.ToArray(),
                Cpu = options.Cpu,
                Gpu = options.Gpu,
                Memory = options.Memory,
                Disk = options.Disk,
                RegionId = options.RegionId,
            };
            var snapshot = await client.CreateSnapshotAsync(request, cancellationToken).ConfigureAwait(false);
            log?.Invoke($"Created snapshot '{snapshot.Name}' ({snapshot.Id}) from a Dockerfile of {dockerfile.Split('\n').Length - 1} lines and {hashes.Count} context(s); state {snapshot.StateText}.");
            return new DeclarativeSnapshotResult(snapshot, reused: false, uploads);
        }

        private static async Task WaitUntilGoneAsync(DaytonaClient client, string name, CancellationToken cancellationToken)
        {
            for (var i = 0; i < 120; i++)
            {
                if (await client.FindSnapshotAsync(name, cancellationToken).ConfigureAwait(false) == null)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, 50 * (i + 1))), cancellationToken).ConfigureAwait(false);
            }

            throw new DaytonaException(DaytonaErrorIds.SnapshotAlreadyExists, ErrorKind.ResourceBusy, $"The snapshot '{name}' is still being removed.", name);
        }
    }
}
