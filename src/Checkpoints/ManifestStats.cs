namespace Daytona.Checkpoints
{
    /// <summary>The numbers a manifest's header holds about its entries: files, their bytes, and the stored bytes of their distinct chunks.</summary>
    internal readonly struct ManifestStats
    {
        public ManifestStats(long files, long size, long storedSize)
        {
            Files = files;
            Size = size;
            StoredSize = storedSize;
        }

        public long Files { get; }

        public long Size { get; }

        public long StoredSize { get; }

        public static ManifestStats Of(Manifest manifest) => new ManifestStats(manifest.Files, manifest.Size, manifest.StoredSize);

        public void ApplyTo(Manifest manifest)
        {
            manifest.Files = Files;
            manifest.Size = Size;
            manifest.StoredSize = StoredSize;
        }
    }
}
