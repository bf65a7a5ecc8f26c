using System.Collections.Concurrent;
using Daytona.Checkpoints.Server.Sources;

namespace Daytona.Checkpoints.Server.Content;

/// <summary>
/// The trees of recently served checkpoints. A checkpoint never changes, so a tree read once stays right for as long as
/// it is kept; the least recently used ones go when more than <see cref="Capacity"/> entries are held.
/// </summary>
internal sealed class TreeCache
{
    private readonly ConcurrentDictionary<(ServedRepository, string), Slot> _trees = new();
    private long _entries;

    public TreeCache(long capacity = 2_000_000)
    {
        Capacity = capacity;
    }

    /// <summary>How many manifest entries (files, folders, links) the cached trees may hold together.</summary>
    public long Capacity { get; }

    /// <summary>The tree of checkpoint <paramref name="id"/>, read once however many requests ask for it at the same time.</summary>
    public CheckpointTree Get(ServedRepository repository, string id)
    {
        var slot = _trees.GetOrAdd((repository, id), key => new Slot(() => new CheckpointTree(key.Item1.Repository.ReadManifest(key.Item2))));
        slot.LastUsed = Environment.TickCount64;
        CheckpointTree tree;
        try
        {
            tree = slot.Tree.Value;
        }
        catch
        {
            // A failed read is not kept: the next request reads again.
            _trees.TryRemove(new KeyValuePair<(ServedRepository, string), Slot>((repository, id), slot));
            throw;
        }

        if (!slot.Counted)
        {
            lock (slot)
            {
                if (!slot.Counted)
                {
                    slot.Counted = true;
                    slot.Size = Math.Max(1, tree.Manifest.Entries.Count);
                    if (Interlocked.Add(ref _entries, slot.Size) > Capacity)
                    {
                        Trim();
                    }
                }
            }
        }

        return tree;
    }

    private void Trim()
    {
        foreach (var (key, slot) in _trees.ToArray().OrderBy(p => p.Value.LastUsed))
        {
            if (Interlocked.Read(ref _entries) <= Capacity * 3 / 4)
            {
                break;
            }

            if (slot.Counted && _trees.TryRemove(new KeyValuePair<(ServedRepository, string), Slot>(key, slot)))
            {
                Interlocked.Add(ref _entries, -slot.Size);
            }
        }
    }

    private sealed class Slot
    {
        public Slot(Func<CheckpointTree> read)
        {
            Tree = new Lazy<CheckpointTree>(read, LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public Lazy<CheckpointTree> Tree { get; }

        public long LastUsed { get; set; }

        public bool Counted { get; set; }

        public long Size { get; set; }
    }
}
