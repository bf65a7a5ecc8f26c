using System;
using Daytona.Common.Http;

namespace Daytona.Checkpoints.Storage
{
    /// <summary>How a backend is opened: what it tells the user and how hard it tries. Not stored.</summary>
    public sealed class StorageOptions
    {
        /// <summary>Flush every durable write to stable storage before it becomes visible (the folder; object stores always are).</summary>
        public bool Durable { get; set; } = true;

        /// <summary>Lines for the verbose stream (retries, probes, cache use). Never given a secret.</summary>
        public Action<string>? Verbose { get; set; }

        /// <summary>Lines for the warning stream (e.g. a backend that ignores conditional writes, said once). Never given a secret.</summary>
        public Action<string>? Warning { get; set; }

        /// <summary>
        /// The per-machine cache folder for object stores (<see cref="Cache.ObjectCache"/>); null for the default
        /// (<c>$DAYTONA_CHECKPOINT_CACHE</c>, else the platform's cache folder), empty to turn caching off.
        /// </summary>
        public string? CacheFolder { get; set; }

        /// <summary>The size the whole cache folder is kept under (least recently used entries go first).</summary>
        public long CacheLimit { get; set; } = Cache.ObjectCache.DefaultLimit;

        /// <summary>
        /// The retry numbers object stores hand to their SDK's own retry settings (the module's one resilience home,
        /// <see cref="HttpResilienceOptions"/>): tries, back-off, per-try timeout. Each retry is reported on <see cref="Verbose"/>.
        /// </summary>
        public HttpResilienceOptions Resilience { get; set; } = HttpResilienceOptions.Default;

        /// <summary>
        /// Receives each secret an object store reads (an account key, a SAS token, a connection string, an AWS secret
        /// key or session token) before any request is made, so an Azure Pipelines job can mask it
        /// (<c>##vso[task.setsecret]</c>). Never shown anywhere else.
        /// </summary>
        public Action<string>? Secret { get; set; }

        /// <summary>Reads an environment variable (object stores take their credentials from the environment); tests replace it.</summary>
        public Func<string, string?> Environment { get; set; } = System.Environment.GetEnvironmentVariable;
    }
}
