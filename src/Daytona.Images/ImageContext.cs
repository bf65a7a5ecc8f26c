using System;

namespace Daytona.Images
{
    /// <summary>
    /// One entry of an image's build context: a local file or folder that Daytona receives as
    /// <c>&lt;organization&gt;/&lt;hash&gt;/context.tar</c>. <see cref="SourcePath"/> and <see cref="ArchivePath"/> are the
    /// strings Daytona's SDK records (they take part in the hash, so they keep the spelling the definition used);
    /// <see cref="FullPath"/> is where the content is on this machine.
    /// </summary>
    public sealed class ImageContext
    {
        private string? _hash;

        public ImageContext(string sourcePath, string archivePath, string fullPath)
        {
            SourcePath = sourcePath ?? throw new ArgumentNullException(nameof(sourcePath));
            ArchivePath = archivePath ?? throw new ArgumentNullException(nameof(archivePath));
            FullPath = fullPath ?? throw new ArgumentNullException(nameof(fullPath));

            // An image is a value: its entries are hashed as the files are when the image is defined. A path that does
            // not exist yet fails where Daytona's SDK fails, when the hash is first needed.
            if (System.IO.File.Exists(fullPath) || System.IO.Directory.Exists(fullPath))
            {
                try
                {
                    _hash = ComputeHash();
                }
                catch (Daytona.Common.DaytonaException)
                {
                }
            }
        }

        public string SourcePath { get; }

        public string ArchivePath { get; }

        public string FullPath { get; }

        /// <summary>
        /// The MD5 context hash of the content when the image was defined (or, for a path that did not exist then, when
        /// first asked for). The build path hashes again with <see cref="ComputeHash"/> and says when a file changed.
        /// </summary>
        public string Hash => _hash ??= ComputeHash();

        /// <summary>Hashes the content as it is now.</summary>
        /// <exception cref="Daytona.Common.DaytonaException">The path no longer exists (ErrorId ImageFileNotFound).</exception>
        public string ComputeHash()
        {
            try
            {
                return ContextHasher.ComputeMd5(FullPath, ArchivePath);
            }
            catch (System.IO.FileNotFoundException)
            {
                throw ImageErrors.NotFound("Path does not exist: " + SourcePath, SourcePath);
            }
        }

        public override string ToString() => SourcePath + " -> " + ArchivePath;
    }
}
