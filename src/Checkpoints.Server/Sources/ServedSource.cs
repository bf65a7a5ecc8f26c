namespace Daytona.Checkpoints.Server.Sources;

/// <summary>A repository the server reads, as it was named on the command line.</summary>
internal sealed class ServedRepository
{
    public ServedRepository(string location, CheckpointRepository repository)
    {
        Location = location;
        Repository = repository;
    }

    public string Location { get; }

    public CheckpointRepository Repository { get; }
}

/// <summary>One source of one repository at its URL base path, with its checkpoints oldest first.</summary>
internal sealed class ServedSource
{
    public ServedSource(string basePath, string key, ServedRepository repository, IReadOnlyList<Checkpoint> checkpoints)
    {
        BasePath = basePath;
        Key = key;
        Repository = repository;
        Index = new CheckpointIndex<Checkpoint>(checkpoints, c => c.Time);
    }

    /// <summary>The URL-safe first path segment, e.g. <c>app</c> for <c>/app/20250318T140338Z/</c>.</summary>
    public string BasePath { get; }

    /// <summary>What ties its checkpoints together (see <see cref="SourceIdentity"/>).</summary>
    public string Key { get; }

    public ServedRepository Repository { get; }

    /// <summary>Its checkpoints by time.</summary>
    public CheckpointIndex<Checkpoint> Index { get; }

    public IReadOnlyList<Checkpoint> Checkpoints => Index.Items;

    public Checkpoint Latest => Index.Items[Index.Count - 1];
}

/// <summary>What a checkpoint says about the source it belongs to.</summary>
internal static class SourceIdentity
{
    /// <summary>The stream a checkpoint belongs to: by its label when it has one, else by its source.</summary>
    public static SourceClaim Of(Checkpoint checkpoint, string repositoryRoot, long firstTicks)
    {
        // A label given at capture names the stream (the folder may move, the label stays); without one, the captured
        // folder (or API) does.
        return string.IsNullOrEmpty(checkpoint.Label)
            ? new SourceClaim(repositoryRoot + "\n" + "source:" + checkpoint.Source, SourceNames.Default(checkpoint.Source), false, firstTicks)
            : new SourceClaim(repositoryRoot + "\n" + "label:" + checkpoint.Label, SourceNames.Slug(checkpoint.Label!), true, firstTicks);
    }
}
