namespace Daytona.Checkpoints.Server.Content;

/// <summary>
/// The files and folders of one checkpoint as a tree: entries by path, each folder's children in name order, and
/// path resolution that follows the checkpoint's own symbolic links (never out of the checkpoint).
/// </summary>
internal sealed class CheckpointTree
{
    private const int MaxLinks = 16;
    private static readonly IReadOnlyList<ManifestEntry> s_none = Array.Empty<ManifestEntry>();
    private readonly Dictionary<string, ManifestEntry> _byPath;
    private readonly Dictionary<string, List<ManifestEntry>> _children;

    public CheckpointTree(Manifest manifest)
    {
        Manifest = manifest;
        _byPath = new Dictionary<string, ManifestEntry>(manifest.Entries.Count, StringComparer.Ordinal);
        _children = new Dictionary<string, List<ManifestEntry>>(StringComparer.Ordinal) { [string.Empty] = new List<ManifestEntry>() };
        foreach (var entry in manifest.Entries)
        {
            _byPath[entry.Path] = entry;
            if (entry.Type == EntryType.Directory && !_children.ContainsKey(entry.Path))
            {
                _children[entry.Path] = new List<ManifestEntry>();
            }
        }

        foreach (var entry in manifest.Entries)
        {
            var parent = ParentOf(entry.Path);
            if (!_children.TryGetValue(parent, out var list))
            {
                // A folder the manifest does not list by itself (its entries still show it).
                list = new List<ManifestEntry>();
                _children[parent] = list;
            }

            list.Add(entry);
        }

        foreach (var list in _children.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(NameOf(a.Path), NameOf(b.Path)));
        }
    }

    public Manifest Manifest { get; }

    public string Id => Manifest.Id;

    /// <summary>The entries of a folder (<c>""</c> is the root), in name order; null when there is no such folder.</summary>
    public IReadOnlyList<ManifestEntry>? ChildrenOf(string folder) => _children.TryGetValue(folder, out var list) ? list : null;

    public bool IsFolder(string path) => _children.ContainsKey(path);

    /// <summary>
    /// What a '/'-separated path names, following symbolic links of the checkpoint (relative targets only, at most 16,
    /// never above the root). Returns the entry (null for the root folder) and the path it resolved to; false when the
    /// path names nothing or a link leads outside the checkpoint.
    /// </summary>
    public bool TryResolve(string path, out ManifestEntry? entry, out string resolved)
    {
        entry = null;
        resolved = string.Empty;
        if (path.Length == 0)
        {
            return true;
        }

        if (_byPath.TryGetValue(path, out var direct) && direct.Type != EntryType.Symlink)
        {
            // The common case: no link on the way (an entry's parents are folders unless a link is among them).
            entry = direct;
            resolved = path;
            return true;
        }

        var pending = new Stack<string>(path.Split('/').Reverse());
        var current = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var segment = pending.Pop();
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (current.Count == 0)
                {
                    return false;
                }

                current.RemoveAt(current.Count - 1);
                continue;
            }

            current.Add(segment);
            var at = string.Join("/", current);
            if (!_byPath.TryGetValue(at, out var found))
            {
                if (!_children.ContainsKey(at))
                {
                    return false;
                }

                entry = null;
                continue;
            }

            if (found.Type == EntryType.Symlink)
            {
                var target = found.Target ?? string.Empty;
                if (++links > MaxLinks || target.Length == 0 || target[0] == '/' || target[0] == '\\' || (target.Length > 1 && target[1] == ':'))
                {
                    return false;
                }

                current.RemoveAt(current.Count - 1);
                foreach (var part in target.Replace('\\', '/').Split('/').Reverse())
                {
                    pending.Push(part);
                }

                continue;
            }

            if (found.Type == EntryType.File && pending.Count > 0)
            {
                return false; // a file has no children
            }

            entry = found;
        }

        resolved = string.Join("/", current);
        if (resolved.Length == 0)
        {
            entry = null;
            return true;
        }

        entry ??= _byPath.TryGetValue(resolved, out var folder) ? folder : null;
        return true;
    }

    public static string NameOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? path : path.Substring(slash + 1);
    }

    private static string ParentOf(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? string.Empty : path.Substring(0, slash);
    }
}
