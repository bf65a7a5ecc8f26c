namespace Daytona.Checkpoints.Storage
{
    /// <summary>The kinds of storage a repository can live on.</summary>
    public enum StorageKind
    {
        /// <summary>A folder (local, mounted or UNC).</summary>
        Folder,

        /// <summary>An Azure Blob Storage container, under a prefix.</summary>
        AzureBlob,

        /// <summary>An S3 (or S3-compatible) bucket, under a prefix.</summary>
        S3,
    }
}
